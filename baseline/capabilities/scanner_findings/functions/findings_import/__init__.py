"""Lambda function: scanner reports (SCA, SAST, DAST) into Security Hub as ASFF findings.

Deployed as this directory's contents with the handler ``handler.handler``; it needs only the
standard library and boto3, as the AWS Lambda Python 3.12 runtime provides them.
"""
