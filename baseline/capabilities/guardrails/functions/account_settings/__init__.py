"""Lambda function: the CloudFormation custom resource `Custom::AccountSettings`.

Its ``handler.py`` is the single source of the code that the account guardrails StackSet
template embeds inline (``ZipFile``, run as ``index.handler``); it needs only the standard
library and boto3, as the AWS Lambda Python 3.12 runtime provides them.
"""
