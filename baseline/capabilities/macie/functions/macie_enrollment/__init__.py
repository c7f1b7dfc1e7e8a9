"""Lambda function: Macie membership for every active account of the organization, per region.

It needs only the standard library and boto3, as the AWS Lambda Python 3.12 runtime provides
them.
"""
