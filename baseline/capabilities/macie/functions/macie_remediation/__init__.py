"""Lambda code for Macie remediation: finding handler, Slack approval handler, remediator.

The directory is deployed as it is, one archive for the three functions, whose handlers are
`finding_handler.handler`, `approval_handler.handler` and `remediator.handler`. Lambda loads
each file as a top-level module, so the files import their shared sibling
(`remediation_common`) as a top-level module too. Only the standard library and boto3 are used.
"""
