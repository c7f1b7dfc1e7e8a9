"""What Security Hub accepts: standards, disabled controls, configuration policies, arguments.

The arguments are checked when they are made, so that a component never declares what Security
Hub would refuse at deploy time: an unknown standard, a control disabled without a reason or in
a standard not subscribed, a configuration policy whose name or description AWS rejects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from baseline.capabilities.shared import require_region_list
from components.aws_partitions import partition_of

# Standard -> whether its ARN names a region. CIS 1.2.0 predates regional standards ARNs and
# is still a global "ruleset".
STANDARDS: Mapping[str, bool] = {
    "aws-foundational-security-best-practices/v/1.0.0": True,
    "aws-resource-tagging-standard/v/1.0.0": True,
    "cis-aws-foundations-benchmark/v/1.2.0": False,
    "cis-aws-foundations-benchmark/v/1.4.0": True,
    "cis-aws-foundations-benchmark/v/3.0.0": True,
    "nist-800-53/v/5.0.0": True,
    "nist-800-171/v/2.0.0": True,
    "pci-dss/v/3.2.1": True,
    "pci-dss/v/4.0.1": True,
}
DEFAULT_STANDARDS = (
    "aws-foundational-security-best-practices/v/1.0.0",
    "cis-aws-foundations-benchmark/v/3.0.0",
)
LINKING_MODES = ("ALL_REGIONS", "SPECIFIED_REGIONS")

# A policy target: the organization's root (looked up), an OU id or an account id.
ROOT_TARGET = "root"
POLICY_TARGET = re.compile(r"root|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|\d{12}")
# CreateConfigurationPolicy (botocore): "Alphanumeric characters and the following ASCII
# characters are permitted: -, ., !, *, /"; AWS::SecurityHub::ConfigurationPolicy: 1-128.
POLICY_NAME = re.compile(r"[A-Za-z0-9.!*/-]{1,128}")
# AWS::SecurityHub::ConfigurationPolicy Description: maxLength 512.
MAX_POLICY_DESCRIPTION = 512
DEFAULT_POLICY_NAME = "security-baseline"


def standard_arn(standard: str, region: str) -> str:
    """The ARN Security Hub publishes for `standard` in `region`."""
    partition = partition_of(region)
    if STANDARDS[standard]:
        return f"arn:{partition}:securityhub:{region}::standards/{standard}"
    return f"arn:{partition}:securityhub:::ruleset/{standard}"


@dataclass(frozen=True)
class DisabledControl:
    """A security control turned off, with the reason auditors will read."""

    control_id: str
    reason: str
    # Empty: every subscribed standard. AWS rejects a standard that does not contain the control.
    # A configuration policy disables a control in every standard: there it must stay empty.
    standards: tuple[str, ...] = ()


def _check_standards(owner: str, standards: tuple[str, ...]) -> None:
    unknown = [s for s in standards if s not in STANDARDS]
    if unknown:
        raise ValueError(f"{owner}: unknown standard(s) {', '.join(unknown)}")


def _check_disabled_control(control: DisabledControl, standards: tuple[str, ...]) -> None:
    if not control.reason.strip():
        raise ValueError(f"disabled control {control.control_id}: a reason is required")
    missing = [s for s in control.standards if s not in standards]
    if missing:
        raise ValueError(
            f"disabled control {control.control_id}: not subscribed to {', '.join(missing)}"
        )


@dataclass(frozen=True)
class ConfigurationPolicy:
    """Security Hub enabled with `standards` and without `disabled_controls`, in every account
    of `targets` (the organization's root, OUs or accounts), in the home and linked regions.

    A configuration policy has no field for a control's reason: the reasons go into its
    description, where the console and `GetConfigurationPolicy` show them with the policy.
    """

    name: str
    standards: tuple[str, ...]
    disabled_controls: tuple[DisabledControl, ...] = ()
    targets: tuple[str, ...] = (ROOT_TARGET,)
    description: str = ""

    def __post_init__(self) -> None:
        owner = f"configuration policy {self.name!r}"
        if not POLICY_NAME.fullmatch(self.name):
            raise ValueError(f"{owner}: the name is 1-128 letters, digits or - . ! * /")
        if not self.standards:
            # CreateConfigurationPolicy: "Enabled standards ... must be configured when
            # Security Hub is enabled".
            raise ValueError(f"{owner}: at least one standard is required")
        _check_standards(owner, self.standards)
        for control in self.disabled_controls:
            _check_disabled_control(control, self.standards)
            if control.standards:
                raise ValueError(
                    f"{owner}: disables {control.control_id} in every standard; "
                    "a policy cannot name standards for a control"
                )
        if not self.targets or len(set(self.targets)) != len(self.targets):
            raise ValueError(f"{owner}: targets must name each target once")
        for target in self.targets:
            if not POLICY_TARGET.fullmatch(target):
                raise ValueError(f"{owner}: target {target!r} is not root, an OU or an account id")
        if len(self.full_description) > MAX_POLICY_DESCRIPTION:
            raise ValueError(
                f"{owner}: the description with the disabled controls' reasons is longer "
                f"than the {MAX_POLICY_DESCRIPTION} characters Security Hub keeps"
            )

    @property
    def full_description(self) -> str:
        return policy_description(self.name, self.description, self.disabled_controls)


def policy_description(
    name: str, description: str, disabled_controls: tuple[DisabledControl, ...]
) -> str:
    """A policy's description, then each disabled control with its reason."""
    lead = description.strip() or f"security-baseline configuration policy {name}"
    if not disabled_controls:
        return lead
    reasons = "; ".join(f"{c.control_id}: {c.reason.strip()}" for c in disabled_controls)
    return f"{lead.rstrip('.')}. Disabled controls: {reasons}"


@dataclass(frozen=True)
class SecurityHubArgs:
    """Arguments of SecurityHub.

    Single-account mode subscribes `standards` and disables `disabled_controls` in this account.
    Organization mode (`delegated_admin_account_id`) uses central configuration: the
    `configuration_policies` govern every account they target, the security account included;
    none given means one policy for the organization's root made of `standards` and
    `disabled_controls`.
    """

    home_region: str
    regions: tuple[str, ...]
    standards: tuple[str, ...] = DEFAULT_STANDARDS
    disabled_controls: tuple[DisabledControl, ...] = ()
    linking_mode: str = "ALL_REGIONS"
    # SPECIFIED_REGIONS: the regions whose findings flow to the home region.
    linked_regions: tuple[str, ...] = ()
    # Organization mode: the (security) account the management account designates.
    delegated_admin_account_id: str | None = None
    configuration_policies: tuple[ConfigurationPolicy, ...] = ()

    def __post_init__(self) -> None:
        require_region_list("SecurityHubArgs", self.home_region, self.regions)
        _check_standards("SecurityHubArgs.standards", self.standards)
        for control in self.disabled_controls:
            _check_disabled_control(control, self.standards)
        if self.linking_mode not in LINKING_MODES:
            raise ValueError(
                f"SecurityHubArgs.linking_mode: must be one of {', '.join(LINKING_MODES)}"
            )
        if (self.linking_mode == "SPECIFIED_REGIONS") != bool(self.linked_regions_besides_home):
            raise ValueError(
                "SecurityHubArgs.linked_regions: regions besides the home region are required "
                "with SPECIFIED_REGIONS, and only then"
            )
        if self.delegated_admin_account_id is None:
            if self.configuration_policies:
                raise ValueError(
                    "SecurityHubArgs.configuration_policies: central configuration needs an "
                    "organization (delegated_admin_account_id)"
                )
            return
        self._check_central()

    def _check_central(self) -> None:
        # The policies apply in the home and linked regions only (Security Hub user guide,
        # "Impact of central configuration on cross-Region aggregation").
        if self.linking_mode == "SPECIFIED_REGIONS":
            unlinked = set(self.regions) - {self.home_region, *self.linked_regions}
            if unlinked:
                raise ValueError(
                    "SecurityHubArgs.linked_regions: configuration policies apply only in linked "
                    f"regions; link {', '.join(sorted(unlinked))} too"
                )
        names = [policy.name for policy in self.policies]
        targets = [target for policy in self.policies for target in policy.targets]
        if len(set(names)) != len(names) or len(set(targets)) != len(targets):
            # An account or OU has at most one configuration policy (Security Hub user guide,
            # "How Security Hub configuration policies work").
            raise ValueError(
                "SecurityHubArgs.configuration_policies: names and targets must be unique"
            )

    @property
    def linked_regions_besides_home(self) -> tuple[str, ...]:
        # The aggregation region receives the others' findings; it is not one of the linked.
        return tuple(r for r in self.linked_regions if r != self.home_region)

    @property
    def policies(self) -> tuple[ConfigurationPolicy, ...]:
        """The configuration policies of organization mode, or the default one for the root."""
        return self.configuration_policies or (
            ConfigurationPolicy(
                name=DEFAULT_POLICY_NAME,
                standards=self.standards,
                disabled_controls=self.disabled_controls,
            ),
        )

    def subscribed(self, control: DisabledControl) -> tuple[str, ...]:
        return control.standards or self.standards


def slug(standard: str) -> str:
    """`cis-aws-foundations-benchmark/v/3.0.0` -> `cis-aws-foundations-benchmark-v3.0.0`."""
    return standard.replace("/v/", "-v").replace("/", "-")
