"""Lambda function: security events into short readable alerts, for email and for chat.

Deployed as this directory's ``handler.py`` with the handler ``handler.handler``; it needs only
the standard library and boto3, as the AWS Lambda Python 3.12 runtime provides them.
"""
