"""Run policy packs over a plan offline, through their analyzer plugins, as the Pulumi CLI does.

For every registration the engine first lets each pack remediate the inputs, then asks each
pack to Analyze them; after the program it sends the whole stack, with final properties and
the resource graph, to AnalyzeStack once per pack. Every resource is analyzed, components,
providers and the root stack included: the engine analyzes each RegisterResource.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2

from baseline.preview.encoding import PlanEncoder
from baseline.preview.model import Exemption, Plan, PlannedResource, Violation
from baseline.preview.packconfig import (
    ENFORCEMENT_NAMES,
    SEVERITY_NAMES,
    PolicyConfig,
    PolicyInfo,
    configure_request,
    initial_config,
    load_config_file,
    policy_info,
    reconcile,
    validation_errors,
)
from baseline.preview.plugin import (
    START_TIMEOUT_SECONDS,
    AnalyzerPlugin,
    EngineServer,
    PolicyPackError,
    load_pack_project,
    stack_environment,
)
from baseline.preview.violations import split_exemptions
from baseline.problems import Problem, SpecError

__all__ = ["AnalysisResult", "PackInfo", "PolicyPackError", "Remediation", "analyze"]


@dataclass(frozen=True)
class PackInfo:
    """A pack as it ran: its policies and the enforcement level each ran at."""

    name: str
    version: str
    directory: Path
    policies: tuple[PolicyInfo, ...]
    enforcement: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Remediation:
    """A remediate-level policy rewrote a resource's inputs before analysis."""

    pack: str
    policy: str
    urn: str


@dataclass(frozen=True)
class AnalysisResult:
    """What the packs found: violations (exemptions taken out), and the exemptions."""

    violations: tuple[Violation, ...]
    packs: tuple[PackInfo, ...]
    policy_seconds: float
    remediations: tuple[Remediation, ...] = ()
    exemptions: tuple[Exemption, ...] = ()


def analyze(
    plan: Plan, pack_dirs: Sequence[Path], config_files: Sequence[Path] = ()
) -> AnalysisResult:
    """Run each policy pack over `plan` through its analyzer plugin and collect violations.

    `config_files` pairs with `pack_dirs` like `--policy-pack-config` with `--policy-pack`:
    none at all, or one per pack. Violations come in the engine's order (per resource, then
    stack policies); `enforcement` is "advisory" or "mandatory". Raises PolicyPackError for a
    pack or config the user got wrong; no plugin process outlives the call.
    """
    _, result = analyze_alongside(lambda: plan, pack_dirs, config_files, plan.project, plan.stack)
    return result


def analyze_alongside(
    make_plan: Callable[[], Plan],
    pack_dirs: Sequence[Path],
    config_files: Sequence[Path],
    project: str,
    stack: str,
) -> tuple[Plan, AnalysisResult]:
    """As `analyze`, with the packs booting while `make_plan` runs, as the engine does.

    A pack's interpreter start and imports take about as long as a small program, and the
    program runs in its own process: overlapping the two saves that wait.
    """
    with started_packs(pack_dirs, project, stack, config_files) as ready:
        plan = make_plan()
        started = time.perf_counter()
        packs = ready()
        found, remediations = run_policies(plan, packs)
        infos = tuple(pack.info for pack in packs)
    violations, exemptions = split_exemptions(found)
    seconds = time.perf_counter() - started
    return plan, AnalysisResult(violations, infos, seconds, remediations, exemptions)


class PolicyPack:
    """A started policy pack, ready for Configure, Remediate, Analyze and AnalyzeStack."""

    def __init__(self, plugin: AnalyzerPlugin, project: str, stack: str) -> None:
        """Connect, then Handshake, ConfigureStack and GetAnalyzerInfo, in the CLI's order."""
        self._plugin = plugin
        self._directory = plugin.project.directory
        self._stub = plugin.connect(START_TIMEOUT_SECONDS)
        self._handshake()
        self.call(
            "ConfigureStack",
            analyzer_pb2.AnalyzerStackConfigureRequest(project=project, stack=stack, dry_run=True),
        )
        analyzer_info = self.call("GetAnalyzerInfo", empty_pb2.Empty())
        self.name: str = analyzer_info.name
        # As in the CLI, PulumiPolicy.yaml's version wins over the SDK's.
        self.version: str = plugin.project.version or analyzer_info.version
        self.policies = tuple(policy_info(policy) for policy in analyzer_info.policies)
        self._initial = initial_config(analyzer_info)
        self._config: dict[str, PolicyConfig] = {}

    def _handshake(self) -> None:
        request = analyzer_pb2.AnalyzerHandshakeRequest(
            engine_address=self._plugin.engine_address,
            root_directory=str(self._directory),
            program_directory=str(self._directory),
        )
        try:
            self._stub.Handshake(request)
        except grpc.RpcError as error:
            # Packs written with the Python SDK do not implement it; the CLI carries on.
            if error.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise self._plugin.failure(f"failed the handshake: {error.details()}") from error

    def configure(self, config_file: Path | None) -> None:
        """Reconcile defaults, the pack's initial config and the file, validate, Configure.

        Configuring again replaces the whole configuration.
        """
        given = load_config_file(config_file) if config_file is not None else {}
        self._check_policy_names(given, config_file)
        config = reconcile(self.policies, self._initial, given)
        errors = validation_errors(self.policies, config)
        if errors:
            where = config_file or self._directory
            lines = "\n".join(
                f"validating policy config: {self.name} {self.version}  {e}" for e in errors
            )
            raise PolicyPackError(where, lines)
        self.call("Configure", configure_request(config_file or self._directory, config))
        self._config = config

    def _check_policy_names(self, given: dict[str, PolicyConfig], config_file: Path | None) -> None:
        """A config entry for a policy the pack does not have is a typo, never ignored."""
        names = [policy.name for policy in self.policies]
        unknown = [name for name in given if name != "all" and name not in names]
        if not unknown:
            return
        where = str(config_file or self._directory)
        problems = []
        for name in unknown:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            what = f"{name}: no such policy in {self.name} {self.version}{hint}"
            problems.append(Problem(where, what))
        raise SpecError(problems)

    def policy(self, name: str) -> PolicyInfo | None:
        return next((policy for policy in self.policies if policy.name == name), None)

    def remediation(self, name: str) -> str:
        policy = self.policy(name)
        return policy.remediation_steps if policy else ""

    @property
    def info(self) -> PackInfo:
        enforcement = {policy.name: self._enforcement(policy.name) for policy in self.policies}
        return PackInfo(self.name, self.version, self._directory, self.policies, enforcement)

    def _enforcement(self, policy: str) -> str:
        return self._config[policy].enforcement

    @property
    def remediates(self) -> bool:
        """Whether any policy runs at the remediate level: only then has Remediate work."""
        return any(self._enforcement(policy.name) == "remediate" for policy in self.policies)

    def severity(self, name: str) -> str:
        policy = self.policy(name)
        return policy.severity if policy else ""

    def call(self, method: str, request: Any) -> Any:
        """One Analyzer RPC; a failure is the pack's, reported with what it said."""
        return self.wait(method, self.submit(method, request))

    def submit(self, method: str, request: Any) -> Any:
        """Start an RPC without waiting for it, so that calls overlap on the one channel."""
        return getattr(self._stub, method).future(request)

    def wait(self, method: str, future: Any) -> Any:
        try:
            return future.result()
        except grpc.RpcError as error:
            raise self._plugin.failure(f"failed in {method}: {error.details()}") from error


@contextmanager
def started_packs(
    pack_dirs: Sequence[Path], project: str, stack: str, config_files: Sequence[Path] = ()
) -> Iterator[Callable[[], list[PolicyPack]]]:
    """Start every pack's plugin now; the callable connects and configures them all.

    The plugins boot in parallel with whatever runs before the callable is called; every one
    is stopped on the way out.
    """
    if config_files and len(config_files) != len(pack_dirs):
        raise ValueError("give one policy pack config per policy pack, or none")
    projects = [load_pack_project(Path(directory)) for directory in pack_dirs]
    with ExitStack() as cleanup:
        engine = EngineServer()
        cleanup.callback(engine.stop)
        plugins = []
        for pack_project in projects:
            plugin = AnalyzerPlugin(pack_project, engine, stack_environment(project, stack))
            cleanup.callback(plugin.close)
            plugins.append(plugin)

        def ready() -> list[PolicyPack]:
            packs = [PolicyPack(plugin, project, stack) for plugin in plugins]
            for pack, config_file in zip_longest(packs, config_files):
                pack.configure(config_file)
            return packs

        yield ready


@contextmanager
def open_packs(
    pack_dirs: Sequence[Path], project: str, stack: str, config_files: Sequence[Path] = ()
) -> Iterator[list[PolicyPack]]:
    """Start and configure every pack (they boot in parallel); stop them all on the way out."""
    with started_packs(pack_dirs, project, stack, config_files) as ready:
        yield ready()


def run_policies(
    plan: Plan, packs: Sequence[PolicyPack]
) -> tuple[tuple[Violation, ...], tuple[Remediation, ...]]:
    """Remediate and Analyze every resource in every pack, then AnalyzeStack in every pack.

    Analyze calls are sent without waiting for each answer (the engine, too, analyzes
    registrations as they come); answers are read back in plan order.
    """
    encoder = PlanEncoder(plan.resources)
    violations: list[Violation] = []
    remediations: list[Remediation] = []
    pending = []
    final_properties = []
    for resource in plan.resources:
        inputs, remediated = _remediate(resource, packs, encoder, remediations)
        calls = [
            (pack, pack.submit("Analyze", encoder.analyze_request(resource, inputs)))
            for pack in packs
        ]
        pending.append((resource.urn, remediated, calls))
        final_properties.append(_final_properties(resource, inputs))
    for urn, remediated, calls in pending:
        violations.extend(remediated)
        for pack, call in calls:
            response = pack.wait("Analyze", call)
            violations.extend(_violations(pack, response.diagnostics, _always(urn)))
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            encoder.stack_resource(resource, properties)
            for resource, properties in zip(plan.resources, final_properties, strict=True)
        ]
    )
    for pack in packs:
        response = pack.call("AnalyzeStack", request)
        violations.extend(_violations(pack, response.diagnostics, _stack_urn_resolver(plan)))
    return tuple(violations), tuple(remediations)


def _always(urn: str) -> Callable[[str], str]:
    """The engine files every Analyze violation under the analyzed resource's URN."""
    return lambda _: urn


def _stack_urn_resolver(plan: Plan) -> Callable[[str], str]:
    """Like the engine: a stack violation names a resource of the stack, or the stack itself."""
    known = {resource.urn for resource in plan.resources}
    root = (
        f"urn:pulumi:{plan.stack}::{plan.project}::pulumi:pulumi:Stack::{plan.project}-{plan.stack}"
    )
    return lambda urn: urn if urn in known else root


def _final_properties(resource: PlannedResource, inputs: dict[str, Any]) -> dict[str, Any]:
    # The engine sends final outputs; a resource without recorded outputs (a component that
    # registered none) is sent with its inputs instead, which is what its state holds.
    return dict(resource.outputs) if resource.outputs else inputs


def _remediate(
    resource: PlannedResource,
    packs: Sequence[PolicyPack],
    encoder: PlanEncoder,
    remediations: list[Remediation],
) -> tuple[dict[str, Any], list[Violation]]:
    """The inputs after every pack's remediations (which later packs and Analyze see), and
    the advisory violations of remediations that could not run."""
    inputs = dict(resource.inputs)
    violations = []
    for pack in packs:
        if not pack.remediates:
            continue
        request = encoder.analyze_request(resource, inputs, skip_internal_keys=False)
        for remediation in pack.call("Remediate", request).remediations:
            if remediation.diagnostic:
                violations.append(
                    Violation(
                        pack=remediation.policyPackName or pack.name,
                        policy=remediation.policyName,
                        enforcement="advisory",
                        urn=resource.urn,
                        message=remediation.diagnostic,
                        description=remediation.description,
                        severity=pack.severity(remediation.policyName),
                        remediation=pack.remediation(remediation.policyName),
                    )
                )
            elif remediation.HasField("properties"):
                inputs = dict(json_format.MessageToDict(remediation.properties))
                remediations.append(Remediation(pack.name, remediation.policyName, resource.urn))
    return inputs, violations


def _violations(
    pack: PolicyPack,
    diagnostics: Iterable[analyzer_pb2.AnalyzeDiagnostic],
    urn_of: Callable[[str], str],
) -> list[Violation]:
    found = []
    for diagnostic in diagnostics:
        level = ENFORCEMENT_NAMES[diagnostic.enforcementLevel]
        if level == "disabled":
            continue
        found.append(
            Violation(
                pack=diagnostic.policyPackName or pack.name,
                policy=diagnostic.policyName,
                # Like the engine: a violation that survived remediation is mandatory.
                enforcement="mandatory" if level == "remediate" else level,
                urn=urn_of(diagnostic.urn),
                message=diagnostic.message,
                description=diagnostic.description,
                severity=SEVERITY_NAMES.get(diagnostic.severity)
                or pack.severity(diagnostic.policyName),
                remediation=pack.remediation(diagnostic.policyName),
            )
        )
    return found
