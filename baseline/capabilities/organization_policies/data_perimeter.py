"""The resource control policy statements of the data perimeter: deny only, never Allow.

RCPs apply to the resources of the organization's member accounts whoever calls (AWS
Organizations user guide, "Resource control policies"): these statements keep principals outside
the organization away from them and refuse requests without TLS. Their shape follows AWS's data
perimeter examples (aws-samples/data-perimeter-policy-examples, `identity_perimeter_rcp.json`;
aws-samples/resource-control-policy-examples, "Restrict access to only HTTPS connections"):
the AWS service principals are spared with `aws:PrincipalIsAWSService` (CloudTrail and Config
deliver to the log archive as services), and both conditions use IfExists forms so that a request
without the key is judged as AWS's examples judge it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

Statement = dict[str, Any]

# The services RCPs apply to that the perimeter covers: spec name -> action prefix.
SERVICES = {"s3": "s3", "kms": "kms", "sqs": "sqs", "secretsmanager": "secretsmanager"}
ORGANIZATION_ID = re.compile(r"o-[a-z0-9]{10,32}")
ACCOUNT_ID = re.compile(r"\d{12}")
# What each statement keeps away from the organization's resources, by Sid.
PREVENTS = {
    "EnforceOrganizationIdentities": (
        "access to the organization's S3, KMS, SQS and Secrets Manager resources by principals "
        "outside it (AWS services and trusted accounts excepted)"
    ),
    "EnforceSecureTransport": "requests to those resources without TLS",
}


@dataclass(frozen=True)
class DataPerimeterArgs:
    organization_id: str
    services: tuple[str, ...] = tuple(SERVICES)
    # Accounts outside the organization let in all the same (a partner, the regional Elastic
    # Load Balancing account that writes access logs in older regions).
    trusted_accounts: tuple[str, ...] = ()
    require_tls: bool = True

    def __post_init__(self) -> None:
        if not ORGANIZATION_ID.fullmatch(self.organization_id):
            raise ValueError(f"DataPerimeterArgs.organization_id: {self.organization_id!r}")
        unknown = [s for s in self.services if s not in SERVICES]
        if unknown or not self.services:
            raise ValueError(f"DataPerimeterArgs.services: one or more of {', '.join(SERVICES)}")
        for account in self.trusted_accounts:
            if not ACCOUNT_ID.fullmatch(account):
                raise ValueError(f"DataPerimeterArgs.trusted_accounts: {account!r} is no account")


def _actions(args: DataPerimeterArgs) -> list[str]:
    return [f"{SERVICES[service]}:*" for service in args.services]


def data_perimeter_statements(args: DataPerimeterArgs) -> list[Statement]:
    """Deny principals outside the organization (and the trusted accounts), and plain HTTP."""
    outside: dict[str, Any] = {"aws:PrincipalOrgID": args.organization_id}
    if args.trusted_accounts:
        outside["aws:PrincipalAccount"] = sorted(set(args.trusted_accounts))
    statements: list[Statement] = [
        {
            "Sid": "EnforceOrganizationIdentities",
            "Effect": "Deny",
            "Principal": "*",
            "Action": _actions(args),
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": outside,
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
            },
        }
    ]
    if args.require_tls:
        statements.append(
            {
                "Sid": "EnforceSecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": _actions(args),
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
            }
        )
    return statements
