"""One AWS provider per account the baseline deploys into.

Regions are not providers: resources take pulumi-aws 7's `region=` argument, so the program
grows with regions, not with providers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from baseline.regions import known_regions
from baseline.spec import Account, Spec

MANAGED_BY_TAG = {"ManagedBy": "security-baseline"}
SESSION_NAME = "security-baseline"


@dataclass(frozen=True)
class AccountProviders:
    """Who deploys what: delegated-admin and trail resources from `management`, the services
    from `security`, logs from `log_archive`. In single-account mode all three are one."""

    management: pulumi.ProviderResource
    security: pulumi.ProviderResource
    log_archive: pulumi.ProviderResource

    def options(self, account: str) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(provider=getattr(self, account))


def partition_of(region: str) -> str:
    return known_regions().get(region, "aws")


def role_arn(spec: Spec, account: Account) -> str:
    return f"arn:{partition_of(spec.regions.home)}:iam::{account.id}:role/{account.role_name}"


def deployer_arns(spec: Spec, account: str) -> tuple[str, ...]:
    """Who runs `pulumi up` in `account` ("management", "security" or "log_archive"): the role
    its provider assumes. None in single-account mode, where key policies keep the root."""
    if spec.accounts is None:
        return ()
    return (role_arn(spec, getattr(spec.accounts, account)),)


def baseline_tags(spec: Spec) -> dict[str, str]:
    return {**spec.tags, **MANAGED_BY_TAG}


def account_provider(
    name: str, spec: Spec, account: Account | None, region: str | None = None
) -> aws.Provider:
    """A provider for `account` (None: the credentials' own), in the home region by default."""
    assume_roles = None
    allowed_account_ids = None
    if account is not None:
        assume_roles = [
            aws.ProviderAssumeRoleArgs(role_arn=role_arn(spec, account), session_name=SESSION_NAME)
        ]
        # A wrong role or profile must fail the deployment, not deploy into another account.
        allowed_account_ids = [account.id]
    return aws.Provider(
        name,
        region=region or spec.regions.home,
        assume_roles=assume_roles,
        allowed_account_ids=allowed_account_ids,
        default_tags=aws.ProviderDefaultTagsArgs(tags=baseline_tags(spec)),
    )


def account_providers(spec: Spec) -> AccountProviders:
    if spec.accounts is None:
        account = account_provider("account", spec, None)
        return AccountProviders(account, account, account)
    return AccountProviders(
        management=account_provider("management", spec, spec.accounts.management),
        security=account_provider("security", spec, spec.accounts.security),
        log_archive=account_provider("log-archive", spec, spec.accounts.log_archive),
    )
