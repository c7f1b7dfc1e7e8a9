"""Helpers for tests of the services the security account administers for the organization
(GuardDuty, Security Hub, Macie, Config, Firewall Manager) and of their spec sections.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import cerberus
import pulumi
import pulumi_aws as aws

from baseline.preview.model import Plan
from baseline.preview.runner import run_inline

MANAGEMENT = "111111111111"
SECURITY = "222222222222"
HOME = "us-east-1"


def account_provider(name: str, account: str, region: str = HOME) -> aws.Provider:
    """A provider in `region` that assumes the organization's access role of `account`."""
    role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
    return aws.Provider(name, region=region, assume_roles=[{"role_arn": role}])


def plan_administered(
    component: Callable[..., object], name: str, args: object, *, organization: bool
) -> Plan:
    """`component` built in the security account, with the management provider if `organization`."""

    def program() -> None:
        security = account_provider("security", SECURITY)
        management = account_provider("management", MANAGEMENT) if organization else None
        component(
            name,
            args,
            management_provider=management,
            opts=pulumi.ResourceOptions(provider=security),
        )

    return run_inline(program)


def provider_ref(plan: Plan, name: str) -> str:
    """How resources of `plan` refer to the provider called `name`."""
    provider = next(
        r for r in plan.resources if r.type == "pulumi:providers:aws" and r.name == name
    )
    return f"{provider.urn}::{provider.id}"


def validate_section(key: str, schema: Mapping[str, Any], document: Any) -> cerberus.Validator:
    """The spec section `key` validated against its schema."""
    validator = cerberus.Validator({key: schema})
    validator.validate({key: document})
    return validator


def section_problems(validator: cerberus.Validator) -> dict[tuple[Any, ...], list[str]]:
    """Path -> what is wrong there: a check's message, or the name of the cerberus rule broken."""
    found: dict[tuple[Any, ...], list[str]] = {}

    def walk(errors: Any) -> None:
        for error in errors:
            if error.is_group_error:
                walk(error.child_errors)
            else:
                custom = error.code == cerberus.errors.CUSTOM.code
                unknown = error.code == cerberus.errors.UNKNOWN_FIELD.code
                what = str(error.info[0]) if custom else "unknown" if unknown else str(error.rule)
                found.setdefault(tuple(error.document_path), []).append(what)

    walk(validator._errors)
    return found
