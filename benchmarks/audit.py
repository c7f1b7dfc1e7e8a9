"""`baseline audit --organization` at scale: a synthetic organization answered in process.

The real coverage code runs (role assumption, the account list, every service's reads in
its thread pool, the entries) against botocore clients whose calls never leave the process:
a `before-call` hook answers each one from the synthetic organization, after botocore has
validated and serialized the request as for AWS, and counts it. Every list is paginated at
the largest page size its API allows, as the audit asks for, so the number of calls is the
one a real run would make; the seconds are the audit's own work, without AWS's latency.
"""

from __future__ import annotations

import datetime
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from baseline.audit.accounts import account_sessions
from baseline.audit.coverage.model import CoverageContext, CoverageStatus
from baseline.audit.coverage.runner import run_coverage
from baseline.audit.session import AuditSession
from baseline.capabilities.firewall_manager.audit_scope import expected_policy_names
from baseline.spec import Spec
from baseline.spec_loader import parse_spec
from benchmarks.projects import SPEC_KEY, region_spec_config

FIRST_MEMBER = 100_000_000_000
# One account in this many is left out of each member list: the audit has gaps to find.
GAP_EVERY = 50
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
# How the APIs name their page size; the audit must always set it (to each API's maximum).
PAGE_SIZE_PARAMETERS = ("MaxResults", "maxResults", "Limit")


@dataclass(frozen=True)
class AuditMeasurement:
    accounts: int
    regions: int
    entries: int
    missing: int
    calls: int
    seconds: float
    calls_by_operation: dict[str, int]

    @property
    def ms_per_account(self) -> float:
        return self.seconds * 1000 / self.accounts


class SyntheticOrganization:
    """The answers of a healthy organization of `size` accounts, with a few gaps."""

    def __init__(self, spec: Spec, size: int) -> None:
        assert spec.accounts is not None
        self.spec = spec
        self.management = spec.accounts.management.id
        self.security = spec.accounts.security.id
        baseline_accounts = [self.management, self.security, spec.accounts.log_archive.id]
        members = [str(FIRST_MEMBER + i) for i in range(size - len(baseline_accounts))]
        self.accounts = baseline_accounts + members
        self.members = [
            account
            for index, account in enumerate(self.accounts)
            if account != self.security and index % GAP_EVERY != GAP_EVERY - 1
        ]
        # Built once: building them per page would time the stub, not the audit.
        self._account_rows = [
            {"Id": a, "Name": f"account-{a}", "State": "ACTIVE"} for a in self.accounts
        ]
        self._member_rows = {
            "macie2": [{"accountId": a, "relationshipStatus": "Enabled"} for a in self.members],
            "securityhub": [{"AccountId": a, "MemberStatus": "Enabled"} for a in self.members],
            "guardduty": [{"AccountId": a, "RelationshipStatus": "Enabled"} for a in self.members],
        }
        self._scope_rows = [{"MemberAccount": account} for account in self.members]
        self._source_rows = [
            {"SourceId": a, "AwsRegion": r, "LastUpdateStatus": "SUCCEEDED"}
            for a in self.members
            for r in spec.regions.enabled
        ]
        self._answers: Mapping[str, Callable[[Mapping[str, Any], str], dict[str, Any]]] = {
            "AssumeRole": self._credentials,
            "DescribeOrganization": self._organization,
            "ListAccounts": lambda p, _: self._page(p, "Accounts", self._account_rows),
            "DescribeTrails": self._trails,
            "GetTrailStatus": lambda *_: {"IsLogging": True},
            "ListDetectors": lambda *_: {"DetectorIds": ["d0"]},
            "GetDetector": lambda *_: {"ServiceRole": "role", "Status": "ENABLED"},
            "DescribeHub": lambda _, region: {"HubArn": f"arn:aws:securityhub:{region}:1:hub"},
            "GetMacieSession": lambda *_: {"status": "ENABLED"},
            "DescribeConfigurationAggregators": self._aggregators,
            "DescribeConfigurationAggregatorSourcesStatus": self._sources,
            "GetAdminAccount": lambda *_: {"AdminAccount": self.security, "RoleStatus": "READY"},
            "ListPolicies": self._policies,
            "ListComplianceStatus": lambda p, _: self._page(
                p, "PolicyComplianceStatusList", self._scope_rows
            ),
        }

    def answer(self, operation: str, service: str, params: Mapping[str, Any], region: str) -> Any:
        if operation == "ListMembers":
            return self._members(params, service)
        return self._answers[operation](params, region)

    def _page(self, params: Mapping[str, Any], key: str, items: list[Any]) -> dict[str, Any]:
        sizes = [params[key] for key in PAGE_SIZE_PARAMETERS if key in params]
        if not sizes:
            raise AssertionError(f"a list read without a page size: {sorted(params)}")
        size = int(sizes[0])
        token = params.get("NextToken") or params.get("nextToken")
        start = int(token) if token else 0
        page: dict[str, Any] = {key: items[start : start + size]}
        if start + size < len(items):
            page["nextToken" if key[0].islower() else "NextToken"] = str(start + size)
        return page

    def _credentials(self, *_: Any) -> dict[str, Any]:
        credentials = {"AccessKeyId": "ASIA", "SecretAccessKey": "s", "SessionToken": "t"}
        return {"Credentials": {**credentials, "Expiration": NOW}}

    def _organization(self, *_: Any) -> dict[str, Any]:
        assert self.spec.accounts is not None
        identity = {"Id": self.spec.accounts.organization_id, "MasterAccountId": self.management}
        return {"Organization": identity}

    def _trails(self, *_: Any) -> dict[str, Any]:
        arn = f"arn:aws:cloudtrail:{self.spec.regions.home}:{self.management}:trail/t"
        trail = {"Name": "t", "TrailARN": arn, "IsOrganizationTrail": True}
        return {"trailList": [{**trail, "IsMultiRegionTrail": True}]}

    def _members(self, params: Mapping[str, Any], service: str) -> dict[str, Any]:
        if service == "macie2":
            rows = [{"accountId": a, "relationshipStatus": "Enabled"} for a in self.members]
            return self._page(params, "members", rows)
        field = "MemberStatus" if service == "securityhub" else "RelationshipStatus"
        return self._page(
            params, "Members", [{"AccountId": a, field: "Enabled"} for a in self.members]
        )

    def _aggregators(self, *_: Any) -> dict[str, Any]:
        source = {"RoleArn": "arn:aws:iam::1:role/a", "AllAwsRegions": True}
        aggregator = {"ConfigurationAggregatorName": "org", "OrganizationAggregationSource": source}
        return {"ConfigurationAggregators": [aggregator]}

    def _sources(self, params: Mapping[str, Any], _: str) -> dict[str, Any]:
        return self._page(params, "AggregatedSourceStatusList", self._source_rows)

    def _policies(self, params: Mapping[str, Any], region: str) -> dict[str, Any]:
        names = expected_policy_names(self.spec, region)
        rows = [
            {"PolicyName": name, "PolicyId": f"{index:036d}", "PolicyStatus": "ACTIVE"}
            for index, name in enumerate(names)
        ]
        return self._page(params, "PolicyList", rows)


class Responder:
    """Answers every call of a boto3 session in process, and counts them."""

    def __init__(self, organization: SyntheticOrganization) -> None:
        self.organization = organization
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._ids = itertools.count()

    def attach(self, session: boto3.Session) -> None:
        session.events.register("before-parameter-build", self._remember_params)
        session.events.register("before-call", self._answer)

    def _remember_params(
        self, params: Mapping[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        context["benchmark_params"] = dict(params)

    def _answer(self, model: Any, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, Any]:
        service = model.service_model.service_name
        with self._lock:
            self.calls[f"{service} {model.name}"] += 1
        region = context["client_region"]
        parsed = self.organization.answer(model.name, service, context["benchmark_params"], region)
        return AWSResponse("https://stubbed", 200, {}, None), parsed


def measure_audit(accounts: int, regions: int) -> AuditMeasurement:
    config = region_spec_config(regions)
    spec = parse_spec(config[SPEC_KEY], aws_region=config["aws:region"])
    responder = Responder(SyntheticOrganization(spec, accounts))
    boto_session = boto3.Session(
        aws_access_key_id="benchmark", aws_secret_access_key="benchmark", region_name="us-east-1"
    )
    responder.attach(boto_session)
    # The audit's credentials are the security account's, as an auditor's would be there.
    assert spec.accounts is not None
    caller = AuditSession(boto_session, account_id=spec.accounts.security.id, partition="aws")
    started = time.perf_counter()
    sessions = account_sessions(spec, caller)
    context = CoverageContext(spec, sessions["management"], sessions["security"])
    entries = run_coverage(context, spec.regions.enabled)
    seconds = time.perf_counter() - started
    return AuditMeasurement(
        accounts=accounts,
        regions=regions,
        entries=len(entries),
        missing=sum(entry.status is CoverageStatus.MISSING for entry in entries),
        calls=sum(responder.calls.values()),
        seconds=seconds,
        calls_by_operation=dict(sorted(responder.calls.items())),
    )
