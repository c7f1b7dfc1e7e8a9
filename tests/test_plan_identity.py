"""The prod and dev plans keep the identity of every resource a deployed stack holds.

A URN is a deployed resource's identity: a changed type token, name or parent makes
`pulumi up` replace the resource (delete the trail, the detector, the keys...), unless the
resource names its old URN through an alias (`pulumi.Alias(parent=...)`), which the engine
looks up in the stack's state when the new URN is not there. The files under
fixtures/plan_urns/ are the plans' URNs as deployed stacks know them; regenerate them only for
a change that is meant to replace resources, and say so in its commit.

A new component resource (a grouping, with nothing in AWS) is allowed; a new custom resource
only if listed below with the reason it was added.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest

from baseline.preview.model import Plan
from baseline.project import load_stack_file
from tests.plan_memo import planned_project

ROOT = Path(__file__).resolve().parent.parent
KNOWN_URNS = Path(__file__).parent / "fixtures" / "plan_urns"

FUNCTION = "security-baseline:lambda_function:SecureFunction"
SCANNER = f"security-baseline:scanner_findings:ScannerFindings${FUNCTION}"
SCANNER_DEAD_LETTERS = f"{SCANNER}$security-baseline:queues:SecureQueue"
ENROLLMENT = f"security-baseline:macie_enrollment:MacieEnrollment${FUNCTION}"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@dataclass(frozen=True)
class Added:
    """A custom resource added on purpose, in these stacks, and why."""

    stacks: tuple[str, ...]
    parent: str  # the qualified type of its parent
    type: str
    name: str
    reason: str

    def urn(self, stack: str) -> str:
        return f"urn:pulumi:{stack}::security-baseline::{self.parent}${self.type}::{self.name}"


BOTH, PROD = ("prod", "dev"), ("prod",)
ADDED = (
    Added(
        BOTH,
        f"security-baseline:alerts:Alerts${FUNCTION}",
        ALARM,
        "alerts-format-errors",
        "SecureFunction alarms on the alert-format function's errors: a failing formatter "
        "means alerts lost, and only the records of exhausted retries reached a topic",
    ),
    Added(
        PROD,
        SCANNER,
        ALARM,
        "scanner-findings-import-errors",
        "the findings-import function had no alarm: a failed import went unnoticed",
    ),
    Added(
        PROD,
        SCANNER,
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        "scanner-findings-import",
        "a report whose import failed every retry was dropped: now it goes to dead letters",
    ),
    Added(
        PROD,
        SCANNER,
        ALARM,
        "scanner-findings-import-dead-letters",
        "a report in the dead letters raises an alarm",
    ),
    Added(
        PROD,
        SCANNER_DEAD_LETTERS,
        "aws:sqs/queue:Queue",
        "scanner-findings-import-dead-letters-queue",
        "the findings-import function's dead-letter queue (a SecureQueue)",
    ),
    Added(
        PROD,
        SCANNER_DEAD_LETTERS,
        "aws:sqs/queuePolicy:QueuePolicy",
        "scanner-findings-import-dead-letters-policy",
        "the dead-letter queue's policy: TLS only, the function's role sends",
    ),
    Added(
        PROD,
        f"{SCANNER_DEAD_LETTERS}$security-baseline:kms:ManagedKey",
        "aws:kms/key:Key",
        "scanner-findings-import-dead-letters-key-key",
        "the dead-letter queue's own key, admitting the function's role and the readers",
    ),
    Added(
        PROD,
        f"{SCANNER_DEAD_LETTERS}$security-baseline:kms:ManagedKey",
        "aws:kms/alias:Alias",
        "scanner-findings-import-dead-letters-key-alias",
        "the dead-letter queue key's alias",
    ),
    *(
        Added(
            PROD,
            ENROLLMENT,
            "aws:iam/rolePolicy:RolePolicy",
            f"macie-enrollment-{region}",
            "each region's enrollment function puts its own logs, dead letters and members "
            "in a policy of its own on the shared role, which keeps the listing calls",
        )
        for region in ("us-east-1", "us-west-2", "eu-west-1")
    ),
)
# stack -> URN -> why the resource was added on purpose.
NEW_CUSTOM_RESOURCES: dict[str, dict[str, str]] = {
    stack: {added.urn(stack): added.reason for added in ADDED if stack in added.stacks}
    for stack in BOTH
}


@pytest.fixture(scope="module", params=["prod", "dev"])
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def plan(stack: str) -> Plan:
    return planned_project(load_stack_file(ROOT, stack), preview=True)


def known_urns(stack: str) -> set[str]:
    return set(KNOWN_URNS.joinpath(f"{stack}.txt").read_text().split())


def test_every_planned_resource_is_a_deployed_one_or_a_new_component(
    plan: Plan, stack: str
) -> None:
    known = known_urns(stack)
    new = [
        resource.urn
        for resource in plan.resources
        if resource.urn not in known and not known.intersection(resource.aliases)
    ]
    new_custom = {
        resource.urn for resource in plan.resources if resource.urn in new and resource.custom
    }
    assert sorted(new_custom - set(NEW_CUSTOM_RESOURCES[stack])) == [], (
        "new custom resources: a resource renamed or moved without an alias is replaced"
    )
    assert sorted(set(NEW_CUSTOM_RESOURCES[stack]) - new_custom) == [], "listed but not new"


def test_no_deployed_resource_is_left_behind(plan: Plan, stack: str) -> None:
    found = {urn for resource in plan.resources for urn in (resource.urn, *resource.aliases)}
    assert sorted(known_urns(stack) - found) == [], (
        "URNs gone: a deployed resource would be deleted"
    )


def test_each_deployed_resource_is_claimed_once(plan: Plan, stack: str) -> None:
    """The engine refuses two registrations that claim one old URN (duplicate alias)."""
    known = known_urns(stack)
    claims: dict[str, list[str]] = {}
    for resource in plan.resources:
        for urn in {resource.urn, *resource.aliases} & known:
            claims.setdefault(urn, []).append(resource.urn)
    assert {urn: by for urn, by in claims.items() if len(by) > 1} == {}
