"""MacieRemediation under the offline mocks: rule, functions, Slack API, secrets, queue, roles."""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
import pytest
from moto.events.models import EventPattern

from baseline.capabilities.macie.remediation import (
    FUNCTION_DIR,
    MacieRemediation,
    MacieRemediationArgs,
)
from baseline.preview.model import Plan, PlannedResource
from tests.components_harness import descendants, of_type, only, plan_of
from tests.organization_harness import HOME, SECURITY, account_provider
from tests.paths import FIXTURES
from tests.policy_documents import actions, as_list, document, is_secret, lint, plain, statement
from tests.test_stack import planned

QUARANTINE = "quarantine-bucket-1a2b3c4"
QUARANTINE_ARN = f"arn:aws:s3:::{QUARANTINE}"
QUARANTINE_KEY = f"arn:aws:kms:{HOME}:{SECURITY}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
REMEDIATION_ROLE = f"arn:aws:iam::{SECURITY}:role/quarantine-remediation-5e6f7a8"
NOTIFY = f"arn:aws:sns:{HOME}:{SECURITY}:security-alerts"
ALERTS = f"arn:aws:sns:{HOME}:{SECURITY}:security-findings"
TOPIC_KEY = f"arn:aws:kms:{HOME}:{SECURITY}:key/2234abcd-12ab-34cd-56ef-1234567890ab"
SOURCE_KEY = f"arn:aws:kms:{HOME}:444444444444:key/3234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_REGION_SOURCE_KEY = (
    "arn:aws:kms:eu-west-1:555555555555:key/mrk-0123456789abcdef0123456789abcdef"
)
WEBHOOK = "https://hooks.slack.com/services/T0001/B0001/abcdefghijklmnopqrstuvwx"
SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"
APPROVERS = ("U012AB3CD", "W0PQRSTUV")

FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
PERMISSION = "aws:lambda/permission:Permission"
FUNCTIONS = ("finding-handler", "approval-handler", "remediator")


def _args(**overrides: Any) -> MacieRemediationArgs:
    settings: dict[str, Any] = {
        "quarantine_bucket_name": QUARANTINE,
        "quarantine_bucket_arn": QUARANTINE_ARN,
        "quarantine_key_arn": QUARANTINE_KEY,
        "remediator_role_arn": REMEDIATION_ROLE,
        "notify_topic_arn": NOTIFY,
        "alert_topic_arn": ALERTS,
        "topic_key_arns": (TOPIC_KEY,),
        "min_severity": "MEDIUM",
        "approvers": APPROVERS,
        "source_bucket_names": ("acme-raw",),
        "source_bucket_patterns": ("acme-data-lake-*",),
        "slack_channel": "#quarantine",
        "region": HOME,
    }
    return MacieRemediationArgs(**{**settings, **overrides})


def _plan(slack: bool = True, **overrides: Any) -> Plan:
    def program() -> None:
        # Secrets are built inside the program, as the engine's runtime needs them.
        secrets = (
            {
                "slack_webhook_url": pulumi.Output.secret(WEBHOOK),
                "slack_signing_secret": pulumi.Output.secret(SIGNING),
            }
            if slack
            else {}
        )
        security = account_provider("security", SECURITY)
        remediation = MacieRemediation(
            "macie-remediation",
            _args(**secrets, **overrides),
            opts=pulumi.ResourceOptions(provider=security),
        )
        pulumi.export("api_endpoint", remediation.api_endpoint)
        pulumi.export("dlq_url", remediation.dlq_url)
        pulumi.export("function_arns", remediation.function_arns)
        pulumi.export("publisher_role_arns", remediation.publisher_role_arns)

    return plan_of(program)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return _plan()


@pytest.fixture(scope="module")
def without_slack() -> Plan:
    return _plan(slack=False, approvers=())


def _function(plan: Plan, kind: str) -> PlannedResource:
    return only(plan, FUNCTION, f"macie-remediation-{kind}")


def _policy(plan: Plan, kind: str) -> dict[str, Any]:
    return document(only(plan, ROLE_POLICY, f"macie-remediation-{kind}"))


def _environment(plan: Plan, kind: str) -> dict[str, Any]:
    variables: dict[str, Any] = _function(plan, kind).inputs["environment"]["variables"]
    return variables


def _events(directory: str) -> dict[str, dict[str, Any]]:
    return {
        path.name: json.loads(path.read_text())
        for path in sorted((FIXTURES / directory).glob("*.json"))
        if json.loads(path.read_text()).get("source") == "aws.macie"
    }


def test_the_rule_matches_macie_sensitive_data_findings_only(plan: Plan) -> None:
    rule = only(plan, "aws:cloudwatch/eventRule:EventRule")
    pattern = EventPattern.load(rule.inputs["eventPattern"])
    events = {**_events("macie"), **_events("events")}
    matched = {name for name, event in events.items() if pattern.matches_event(event)}
    assert matched == {
        "finding_credentials_high.json",
        "finding_financial_low.json",
        "finding_personal_medium.json",
        "macie_sensitive_data.json",
    }
    assert {"finding_policy_block_public_access_disabled.json", "macie_policy.json"} <= set(events)


def test_only_the_rule_may_invoke_the_finding_handler(plan: Plan) -> None:
    rule = only(plan, "aws:cloudwatch/eventRule:EventRule")
    handler = _function(plan, "finding-handler")
    target = only(plan, "aws:cloudwatch/eventTarget:EventTarget")
    assert (target.inputs["rule"], target.inputs["arn"]) == (
        rule.outputs["name"],
        handler.outputs["arn"],
    )
    permission = only(plan, PERMISSION, "macie-remediation-findings")
    assert permission.inputs == {
        "action": "lambda:InvokeFunction",
        "function": handler.outputs["name"],
        "principal": "events.amazonaws.com",
        "sourceArn": rule.outputs["arn"],
        "region": HOME,
    }


def test_the_functions_run_the_shipped_handlers(plan: Plan) -> None:
    shipped = {path.name for path in FUNCTION_DIR.glob("*.py")}
    limits = {
        "finding-handler": (60, 256),
        "approval-handler": (20, 256),
        "remediator": (900, 1024),
    }
    for kind in FUNCTIONS:
        inputs = _function(plan, kind).inputs
        module = kind.replace("-", "_")
        assert inputs["handler"] == f"{module}.handler"
        assert (FUNCTION_DIR / f"{module}.py").is_file()
        assert (inputs["runtime"], inputs["name"]) == ("python3.12", f"macie-remediation-{kind}")
        assert (inputs["timeout"], inputs["memorySize"]) == limits[kind]
        assets = inputs["code"]["assets"]
        assert set(assets) == shipped  # every module, and no __pycache__
        assert all(asset["path"] == str(FUNCTION_DIR / name) for name, asset in assets.items())


def _read_variables(kind: str) -> tuple[set[str], set[str]]:
    """The variables a handler reads, and those it cannot run without."""
    source = (FUNCTION_DIR / f"{kind.replace('-', '_')}.py").read_text()
    optional = set(re.findall(r'(?:environ\.get|_int_env)\("([A-Z_]+)"', source))
    required = set(re.findall(r'required_env\("([A-Z_]+)"\)', source))
    return required | optional, required


@pytest.mark.parametrize("kind", FUNCTIONS)
def test_each_function_gets_the_variables_its_handler_reads(plan: Plan, kind: str) -> None:
    readable, required = _read_variables(kind)
    assert required <= set(_environment(plan, kind)) <= readable


def test_variables_hold_settings_and_arns_never_secret_values(plan: Plan) -> None:
    remediator = _function(plan, "remediator").outputs["arn"]
    secrets = {s.name: s.outputs["arn"] for s in of_type(plan, SECRET)}
    finding = _environment(plan, "finding-handler")
    assert json.loads(finding["ACTIONS"]) == {
        "SensitiveData:S3Object/Credentials": "AUTO",
        "SensitiveData:S3Object/CustomIdentifier": "REVIEW",
        "SensitiveData:S3Object/Financial": "REVIEW",
        "SensitiveData:S3Object/Multiple": "REVIEW",
        "SensitiveData:S3Object/Personal": "REVIEW",
    }
    assert finding["MIN_SEVERITY"] == "MEDIUM"
    assert (finding["QUARANTINE_BUCKET"], finding["NOTIFY_TOPIC_ARN"]) == (QUARANTINE, NOTIFY)
    assert finding["REMEDIATOR_FUNCTION"] == remediator
    assert finding["SLACK_WEBHOOK_SECRET_ARN"] == secrets["macie-remediation-slack-webhook"]
    approval = _environment(plan, "approval-handler")
    assert approval == {
        "SLACK_SIGNING_SECRET_ARN": secrets["macie-remediation-slack-signing-secret"],
        "APPROVERS": json.dumps(list(APPROVERS)),
        "REMEDIATOR_FUNCTION": remediator,
    }
    assert _environment(plan, "remediator") == {
        "QUARANTINE_BUCKET": QUARANTINE,
        "NOTIFY_TOPIC_ARN": NOTIFY,
    }
    for kind in FUNCTIONS:
        text = json.dumps(_function(plan, kind).inputs)
        assert WEBHOOK not in text and SIGNING not in text


def test_the_slack_secrets_are_encrypted_secrets_whose_values_stay_secret(plan: Plan) -> None:
    key = only(plan, "aws:kms/key:Key")
    secrets = {s.name: s for s in of_type(plan, SECRET)}
    assert set(secrets) == {
        "macie-remediation-slack-webhook",
        "macie-remediation-slack-signing-secret",
    }
    assert all(s.inputs["kmsKeyId"] == key.outputs["arn"] for s in secrets.values())
    versions = {v.name: v.inputs for v in of_type(plan, SECRET_VERSION)}
    for name, value in (
        ("macie-remediation-slack-webhook", WEBHOOK),
        ("macie-remediation-slack-signing-secret", SIGNING),
    ):
        assert versions[name]["secretId"] == secrets[name].outputs["arn"]
        assert is_secret(versions[name]["secretString"])
        assert plain(versions[name]["secretString"]) == value
    elsewhere = [r for r in plan.resources if r.type != SECRET_VERSION]
    assert not any(WEBHOOK in json.dumps(r.inputs) for r in elsewhere)
    assert not any(SIGNING in json.dumps(r.inputs) for r in elsewhere)


def test_slack_calls_one_route_of_an_http_api_into_the_approval_handler(plan: Plan) -> None:
    api = only(plan, "aws:apigatewayv2/api:Api")
    handler = _function(plan, "approval-handler")
    assert api.inputs["protocolType"] == "HTTP"
    integration = only(plan, "aws:apigatewayv2/integration:Integration")
    assert integration.inputs["apiId"] == api.id
    assert (integration.inputs["integrationType"], integration.inputs["payloadFormatVersion"]) == (
        "AWS_PROXY",
        "2.0",
    )
    assert integration.inputs["integrationUri"] == handler.outputs["arn"]
    route = only(plan, "aws:apigatewayv2/route:Route")
    assert route.inputs["routeKey"] == "POST /slack/actions"
    assert route.inputs["apiId"] == api.id
    assert route.inputs["target"] == f"integrations/{integration.id}"
    permission = only(plan, PERMISSION, "macie-remediation-slack")
    assert (permission.inputs["principal"], permission.inputs["function"]) == (
        "apigateway.amazonaws.com",
        handler.outputs["name"],
    )
    assert permission.inputs["sourceArn"] == f"{api.outputs['executionArn']}/*/POST/slack/actions"
    assert plan.stack_outputs["api_endpoint"] == f"{api.outputs['apiEndpoint']}/slack/actions"


def test_the_stage_deploys_itself_is_throttled_and_logs_to_an_encrypted_group(plan: Plan) -> None:
    stage = only(plan, "aws:apigatewayv2/stage:Stage").inputs
    assert (stage["name"], stage["autoDeploy"]) == ("$default", True)
    assert stage["defaultRouteSettings"] == {
        "throttlingBurstLimit": 20,
        "throttlingRateLimit": 10,
    }
    group = only(plan, "aws:cloudwatch/logGroup:LogGroup", "macie-remediation-slack-api")
    assert stage["accessLogSettings"]["destinationArn"] == group.outputs["arn"]
    assert "$context.requestId" in json.loads(stage["accessLogSettings"]["format"]).values()
    assert group.inputs["kmsKeyId"] == only(plan, "aws:kms/key:Key").outputs["arn"]


def test_each_function_logs_to_its_own_encrypted_group(plan: Plan) -> None:
    key = only(plan, "aws:kms/key:Key")
    grant = statement(document(key), "AllowCloudWatchLogsEncryption")
    logged = set(grant["Condition"]["StringEquals"]["kms:EncryptionContext:aws:logs:arn"])
    for kind in FUNCTIONS:
        group = only(plan, "aws:cloudwatch/logGroup:LogGroup", f"macie-remediation-{kind}")
        assert group.inputs["name"] == f"/aws/lambda/macie-remediation-{kind}"
        assert (group.inputs["kmsKeyId"], group.inputs["retentionInDays"]) == (
            key.outputs["arn"],
            365,
        )
        assert _function(plan, kind).inputs["loggingConfig"]["logGroup"] == group.outputs["name"]
        assert group.outputs["arn"] in logged
        assert statement(_policy(plan, kind), "WriteOwnLogs")["Resource"] == [
            f"{group.outputs['arn']}:*"
        ]


def test_failed_asynchronous_runs_go_to_an_encrypted_tls_only_queue(plan: Plan) -> None:
    queue = only(plan, "aws:sqs/queue:Queue")
    assert queue.inputs["kmsMasterKeyId"] == only(plan, "aws:kms/key:Key").outputs["arn"]
    assert plan.stack_outputs["dlq_url"] == queue.outputs["url"]
    (deny,) = document(only(plan, "aws:sqs/queuePolicy:QueuePolicy"))["Statement"]
    assert (deny["Effect"], deny["Resource"]) == ("Deny", [queue.outputs["arn"]])
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    configs = {c.inputs["functionName"]: c.inputs for c in of_type(plan, INVOKE_CONFIG)}
    # API Gateway calls the approval handler synchronously: its failures reach Slack.
    assert set(configs) == {
        _function(plan, "finding-handler").outputs["name"],
        _function(plan, "remediator").outputs["name"],
    }
    for config in configs.values():
        assert config["destinationConfig"] == {"onFailure": {"destination": queue.outputs["arn"]}}
        assert config["maximumRetryAttempts"] == 2
    for kind in ("finding-handler", "remediator"):
        send = statement(_policy(plan, kind), "SendToDeadLetterQueue")
        assert send["Resource"] == [queue.outputs["arn"]]


def test_alarms_on_dead_letters_and_function_errors_notify_the_alert_topic(plan: Plan) -> None:
    alarms = {a.name.removeprefix("macie-remediation-"): a.inputs for a in of_type(plan, ALARM)}
    assert set(alarms) == {"dead-letters", *(f"{kind}-errors" for kind in FUNCTIONS)}
    dead_letters = alarms["dead-letters"]
    assert (dead_letters["namespace"], dead_letters["metricName"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
    )
    assert dead_letters["dimensions"] == {
        "QueueName": only(plan, "aws:sqs/queue:Queue").outputs["name"]
    }
    errors = alarms["remediator-errors"]
    assert (errors["namespace"], errors["metricName"], errors["statistic"]) == (
        "AWS/Lambda",
        "Errors",
        "Sum",
    )
    assert errors["dimensions"] == {"FunctionName": "macie-remediation-remediator"}
    for alarm in alarms.values():
        assert (alarm["comparisonOperator"], alarm["threshold"]) == (
            "GreaterThanOrEqualToThreshold",
            1,
        )
        assert alarm["alarmActions"] == [ALERTS]


def _role_policies(plan: Plan) -> dict[str, str]:
    return {
        r.name.removeprefix("macie-remediation-"): plain(r.inputs["policy"])
        for r in of_type(plan, ROLE_POLICY)
    }


def test_the_roles_to_grant_publishing_are_those_whose_policies_publish(plan: Plan) -> None:
    """The wiring grants these on the security account's topics (Notifications.grant_publish)."""
    publishing = {
        kind
        for kind, text in _role_policies(plan).items()
        if any("sns:Publish" in actions(each) for each in json.loads(text)["Statement"])
    }
    assert publishing == {"finding-handler", "remediator"}
    assert sorted(plan.stack_outputs["publisher_role_arns"]) == sorted(
        _function(plan, kind).inputs["role"] for kind in publishing
    )
    assert REMEDIATION_ROLE in plan.stack_outputs["publisher_role_arns"]


@pytest.mark.parametrize("slack", [True, False], ids=["slack", "no-slack"])
def test_every_role_policy_lints_clean_and_names_its_resources(
    plan: Plan, without_slack: Plan, slack: bool
) -> None:
    chosen = plan if slack else without_slack
    policies = _role_policies(chosen)
    assert set(policies) == (set(FUNCTIONS) if slack else {"finding-handler", "remediator"})
    for kind, text in policies.items():
        assert lint(text, "identity") == [], kind
        for each in json.loads(text)["Statement"]:
            # Macie's GetFindings has no resource type: "*" is the only Resource it takes.
            if actions(each) != {"macie2:GetFindings"}:
                assert "*" not in as_list(each["Resource"]), (kind, each["Sid"])
            assert not any(action.endswith("*") for action in actions(each)), (kind, each["Sid"])
    for role in of_type(chosen, ROLE):
        assert lint(role.inputs["assumeRolePolicy"], "trust") == [], role.name
    assert lint(plain(only(chosen, "aws:kms/key:Key").inputs["policy"]), "key") == []
    assert (
        lint(plain(only(chosen, "aws:sqs/queuePolicy:QueuePolicy").inputs["policy"]), "resource")
        == []
    )


def test_only_the_approval_handler_reads_macie_findings(plan: Plan) -> None:
    readers = {
        kind
        for kind, text in _role_policies(plan).items()
        for each in json.loads(text)["Statement"]
        if "macie2:GetFindings" in actions(each)
    }
    assert readers == {"approval-handler"}


def test_the_handler_roles_trust_lambda_of_this_account_only(plan: Plan) -> None:
    roles = {r.name: r for r in of_type(plan, ROLE)}
    assert set(roles) == {"macie-remediation-finding-handler", "macie-remediation-approval-handler"}
    for role in roles.values():
        assert role.inputs["path"] == "/security-baseline/"
        (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}
        assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": SECURITY}}
    assert _function(plan, "remediator").inputs["role"] == REMEDIATION_ROLE
    assert only(plan, ROLE_POLICY, "macie-remediation-remediator").inputs["role"] == (
        "quarantine-remediation-5e6f7a8"
    )


def _s3_resources(policy: dict[str, Any]) -> dict[str, set[str]]:
    """Resource -> the S3 actions the policy allows on it."""
    allowed: dict[str, set[str]] = {}
    for each in policy["Statement"]:
        if each["Effect"] == "Allow" and any(a.startswith("s3:") for a in actions(each)):
            for resource in as_list(each["Resource"]):
                allowed.setdefault(resource, set()).update(actions(each))
    return allowed


def test_the_remediator_acts_in_the_source_buckets_and_only_writes_to_quarantine(
    plan: Plan,
) -> None:
    policy = _policy(plan, "remediator")
    allowed = _s3_resources(policy)
    sources = ["arn:aws:s3:::acme-raw", "arn:aws:s3:::acme-data-lake-*"]
    assert set(allowed) == {
        *sources,
        *(f"{arn}/*" for arn in sources),
        QUARANTINE_ARN,
        f"{QUARANTINE_ARN}/*",
    }
    # Exactly what the remediator's calls need (see macie_remediation_grants): no tag reads and
    # no version listing in the sources, no s3:ListBucket on quarantine (its policy denies it).
    for arn in sources:
        assert allowed[f"{arn}/*"] == {
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
            "s3:GetObject",
            "s3:GetObjectVersion",
        }
        assert allowed[arn] == {"s3:ListBucket"}
    assert allowed[f"{QUARANTINE_ARN}/*"] == {
        "s3:AbortMultipartUpload",
        "s3:GetObject",
        "s3:GetObjectTagging",
        "s3:GetObjectVersion",
        "s3:GetObjectVersionTagging",
        "s3:PutObject",
        "s3:PutObjectTagging",
    }
    assert allowed[QUARANTINE_ARN] == {"s3:ListBucketVersions"}
    never = statement(policy, "NeverDeleteFromQuarantine")
    assert never["Effect"] == "Deny" and never["Resource"] == [f"{QUARANTINE_ARN}/*"]
    assert {"s3:DeleteObject", "s3:DeleteObjectVersion"} <= actions(never)
    quarantine_key = statement(policy, "UseQuarantineKey")
    assert quarantine_key["Resource"] == [QUARANTINE_KEY]
    assert quarantine_key["Condition"] == {
        "StringEquals": {"kms:ViaService": [f"s3.{HOME}.amazonaws.com"]}
    }
    # No source keys were given: SSE-KMS sources under other keys stay where they are.
    assert "DecryptSourceObjects" not in {each["Sid"] for each in policy["Statement"]}
    assert statement(policy, "PublishNotifications")["Resource"] == [NOTIFY]
    assert statement(policy, "EncryptForEncryptedTopic")["Resource"] == [TOPIC_KEY]


def test_the_handlers_touch_no_bucket_and_read_only_their_own_secret(plan: Plan) -> None:
    remediator = _function(plan, "remediator").outputs["arn"]
    secrets = {s.name: s.outputs["arn"] for s in of_type(plan, SECRET)}
    expected = {
        "finding-handler": secrets["macie-remediation-slack-webhook"],
        "approval-handler": secrets["macie-remediation-slack-signing-secret"],
    }
    for kind, secret in expected.items():
        policy = _policy(plan, kind)
        assert _s3_resources(policy) == {}
        assert statement(policy, "InvokeRemediator")["Resource"] == [remediator]
        assert statement(policy, "ReadSlackSecret")["Resource"] == [secret]
        decrypt = statement(policy, "DecryptSlackSecret")
        assert decrypt["Condition"] == {
            "StringEquals": {"kms:ViaService": [f"secretsmanager.{HOME}.amazonaws.com"]}
        }


def test_the_key_lets_only_the_handlers_read_secrets_and_the_deployer_store_them(
    plan: Plan,
) -> None:
    key = document(only(plan, "aws:kms/key:Key"))
    roles = {
        r.name.removeprefix("macie-remediation-"): r.outputs["arn"] for r in of_type(plan, ROLE)
    }
    readers = statement(key, "AllowSlackSecretReaders")
    assert readers["Principal"] == {"AWS": [roles["finding-handler"], roles["approval-handler"]]}
    assert actions(readers) == {"kms:Decrypt"}
    writer = statement(key, "AllowDeployerToStoreSlackSecrets")
    assert writer["Condition"]["ArnLike"] == {
        "aws:PrincipalArn": [
            f"arn:aws:iam::{SECURITY}:role/deployer",
            f"arn:aws:iam::{SECURITY}:role/*/deployer",
        ]
    }
    dead_letters = statement(key, "AllowDeadLetterWriters")
    assert dead_letters["Principal"] == {"AWS": [roles["finding-handler"], REMEDIATION_ROLE]}


def test_without_slack_reviews_go_to_the_topic_and_nothing_listens(without_slack: Plan) -> None:
    assert of_type(without_slack, SECRET) == []
    assert of_type(without_slack, "aws:apigatewayv2/api:Api") == []
    assert {f.name for f in of_type(without_slack, FUNCTION)} == {
        "macie-remediation-finding-handler",
        "macie-remediation-remediator",
    }
    assert "SLACK_WEBHOOK_SECRET_ARN" not in _environment(without_slack, "finding-handler")
    assert without_slack.stack_outputs["api_endpoint"] is None
    sids = {s["Sid"] for s in document(only(without_slack, "aws:kms/key:Key"))["Statement"]}
    assert not any("Secret" in sid for sid in sids)


def test_source_keys_and_reserved_concurrency_when_given() -> None:
    plan = _plan(
        slack=False,
        approvers=(),
        source_key_arns=(SOURCE_KEY, OTHER_REGION_SOURCE_KEY),
        remediator_reserved_concurrency=5,
        actions={"SensitiveData:S3Object/Financial": "AUTO"},
    )
    policy = _policy(plan, "remediator")
    decrypt = statement(policy, "DecryptSourceObjects")
    assert (actions(decrypt), decrypt["Resource"]) == (
        {"kms:Decrypt"},
        [SOURCE_KEY, OTHER_REGION_SOURCE_KEY],
    )
    # Through S3 only, in the keys' own regions (S3 uses a bucket's key in its region).
    assert decrypt["Condition"] == {
        "StringEquals": {
            "kms:ViaService": ["s3.eu-west-1.amazonaws.com", f"s3.{HOME}.amazonaws.com"]
        }
    }
    assert _function(plan, "remediator").inputs["reservedConcurrentExecutions"] == 5
    configured = json.loads(_environment(plan, "finding-handler")["ACTIONS"])
    assert configured["SensitiveData:S3Object/Financial"] == "AUTO"
    assert configured["SensitiveData:S3Object/Personal"] == "REVIEW"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"actions": {"SensitiveData:S3Object/Health": "AUTO"}}, "unknown finding types"),
        ({"actions": {"SensitiveData:S3Object/Personal": "DELETE"}}, "AUTO or REVIEW"),
        ({"min_severity": "CRITICAL"}, "min_severity"),
        ({"source_bucket_names": (), "source_bucket_patterns": ()}, "source buckets"),
        ({"source_bucket_patterns": ("*",)}, "'\\*' is not a bucket name pattern"),
        ({"source_bucket_names": ("Bad_Name",)}, "not a bucket name"),
        ({"approvers": ("alice",)}, "not a Slack user id"),
        ({"slack_webhook_url": WEBHOOK}, "both slack_webhook_url and slack_signing_secret"),
        (
            {"slack_webhook_url": WEBHOOK, "slack_signing_secret": SIGNING, "approvers": ()},
            "approvers",
        ),
        ({"max_retry_attempts": 3}, "max_retry_attempts"),
        ({"source_key_arns": ("alias/data",)}, "not a KMS key ARN"),
    ],
)
def test_args_refuse_what_would_not_work(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _args(**overrides)


def test_the_prod_stack_quarantines_with_slack_approvals_in_the_security_account() -> None:
    plan = planned("prod", False)
    component = only(plan, "security-baseline:macie_remediation:MacieRemediation")
    children = descendants(plan, component)

    def mine(type_token: str) -> list[PlannedResource]:
        return [r for r in children if r.type == type_token]

    (rule,) = mine("aws:cloudwatch/eventRule:EventRule")
    assert json.loads(rule.inputs["eventPattern"])["source"] == ["aws.macie"]
    functions = {f.inputs["name"]: f for f in mine(FUNCTION)}
    assert set(functions) == {f"macie-remediation-{kind}" for kind in FUNCTIONS}
    assert all(f":{SECURITY}:" in f.outputs["arn"] for f in functions.values())
    (route,) = mine("aws:apigatewayv2/route:Route")
    assert route.inputs["routeKey"] == "POST /slack/actions"
    assert len(mine(SECRET)) == 2
    assert all(is_secret(v.inputs["secretString"]) for v in mine(SECRET_VERSION))
    (queue,) = mine("aws:sqs/queue:Queue")
    assert queue.inputs["kmsMasterKeyId"]
    assert {r.name for r in mine(ROLE)} == {
        "macie-remediation-finding-handler",
        "macie-remediation-approval-handler",
    }
    # The remediator runs as the role the quarantine bucket (and its key) admit.
    quarantine = only(plan, "security-baseline:quarantine:QuarantineBucket")
    (quarantine_role,) = [
        r for r in descendants(plan, quarantine) if r.name == "quarantine-remediation"
    ]
    remediator = functions["macie-remediation-remediator"]
    assert remediator.inputs["role"] == quarantine_role.outputs["arn"]
    finding = functions["macie-remediation-finding-handler"].inputs["environment"]["variables"]
    assert finding["MIN_SEVERITY"] == "MEDIUM"
    policies = {r.name: document(r) for r in mine(ROLE_POLICY)}
    sources = statement(policies["macie-remediation-remediator"], "ListSourceBuckets")
    assert sources["Resource"] == ["arn:aws:s3:::acme-data-lake-*"]


def test_one_remediation_runs_at_a_time_by_default(plan: Plan) -> None:
    """Two approvals of one finding must not race to copy the object twice."""
    assert _function(plan, "remediator").inputs["reservedConcurrentExecutions"] == 1
    assert "reservedConcurrentExecutions" not in _function(plan, "approval-handler").inputs
