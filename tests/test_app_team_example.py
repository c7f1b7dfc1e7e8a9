"""examples/app-team: the app team's project previews with the policy pack and no violation."""

import json
import shutil
from pathlib import Path

import pytest

from tests.cli_harness import Completed, run_cli
from tests.readme_workflow import pip_install, workflows

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "app-team"
COMPONENT_TYPES = {
    "security-baseline:kms:ManagedKey",
    "security-baseline:buckets:SecureBucket",
    "security-baseline:topics:EncryptedTopic",
    "security-baseline:queues:SecureQueue",
    "security-baseline:logs:SecureLogGroup",
    "security-baseline:load_balancer:ProtectedLoadBalancer",
}


def preview(project: Path, stack: str) -> Completed:
    return run_cli(
        "preview",
        "--project",
        project,
        "--stack",
        stack,
        "--policy-pack",
        "policies",
        "--policy-pack-config",
        f"policies/config/{stack}.json",
        "--json",
    )


@pytest.fixture(scope="module")
def prod():
    completed = preview(Path("examples/app-team"), "prod")
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    return json.loads(completed.stdout)


def of_type(result, type_token):
    return [r for r in result["resources"] if r["type"] == type_token]


def test_prod_previews_with_the_pack_and_no_violation(prod):
    assert prod["project"] == "orders-service"
    assert prod["stack"] == "prod"
    assert prod["violations"] == []
    assert prod["summary"]["violations"] == {"mandatory": 0, "advisory": 0}


def test_the_service_is_built_from_the_components_only(prod):
    assert {r["type"] for r in prod["resources"]} >= COMPONENT_TYPES
    stack_urn = next(r["urn"] for r in prod["resources"] if r["type"] == "pulumi:pulumi:Stack")
    top_level = {r["type"] for r in prod["resources"] if r["parent"] == stack_urn}
    assert top_level == COMPONENT_TYPES


def test_prod_protects_the_load_balancer_with_shield_and_keeps_deletion_protection(prod):
    alb = of_type(prod, "aws:lb/loadBalancer:LoadBalancer")[0]
    protection = of_type(prod, "aws:shield/protection:Protection")
    assert len(protection) == 1
    assert alb["inputs"]["enableDeletionProtection"] is True
    log_group = of_type(prod, "aws:cloudwatch/logGroup:LogGroup")[0]
    assert log_group["inputs"]["deletionProtectionEnabled"] is True
    listener = next(
        r for r in of_type(prod, "aws:lb/listener:Listener") if r["inputs"]["port"] == 443
    )
    assert listener["inputs"]["certificateArn"].startswith("arn:aws:acm:eu-west-1:")


def test_the_events_topic_feeds_the_work_queue_which_admits_that_topic_only(prod):
    topic = of_type(prod, "aws:sns/topic:Topic")[0]
    subscription = of_type(prod, "aws:sns/topicSubscription:TopicSubscription")[0]
    queue = next(r for r in of_type(prod, "aws:sqs/queue:Queue") if r["name"].endswith("-queue"))
    assert subscription["inputs"]["topic"] == topic["outputs"]["arn"]
    assert subscription["inputs"]["endpoint"] == queue["outputs"]["arn"]
    policy = next(
        r
        for r in of_type(prod, "aws:sqs/queuePolicy:QueuePolicy")
        if r["name"] == "order-work-policy"
    )
    send = next(
        s for s in json.loads(policy["inputs"]["policy"])["Statement"] if s["Sid"] == "AllowSnsSend"
    )
    assert send["Condition"] == {"ArnEquals": {"aws:SourceArn": [topic["outputs"]["arn"]]}}


def test_dev_turns_deletion_protection_off_explicitly_and_has_no_shield():
    completed = preview(Path("examples/app-team"), "dev")
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    dev = json.loads(completed.stdout)
    assert dev["violations"] == []
    assert of_type(dev, "aws:shield/protection:Protection") == []
    alb = of_type(dev, "aws:lb/loadBalancer:LoadBalancer")[0]
    assert alb["inputs"]["enableDeletionProtection"] is False


def test_the_same_project_with_a_raw_unencrypted_topic_fails_the_pack(tmp_path):
    """The pack does look at this project: a resource written by hand is caught."""
    project = tmp_path / "app-team"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    with (project / "__main__.py").open("a") as program:
        program.write('\naws.sns.Topic("unencrypted-by-hand")\n')
    completed = preview(project, "prod")
    assert completed.returncode == 1, completed.stderr[-2000:]
    violations = json.loads(completed.stdout)["violations"]
    assert [(v["policy"], v["enforcement"]) for v in violations] == [
        ("sns-topic-kms-encrypted", "mandatory")
    ]
    assert "unencrypted-by-hand" in violations[0]["urn"]


def test_the_readme_ci_job_previews_with_the_pack_and_uploads_sarif():
    readme = (EXAMPLE / "README.md").read_text()
    [workflow] = [w for w in workflows(readme) if "baseline-policies" in w["jobs"]]
    job_steps = workflow["jobs"]["baseline-policies"]["steps"]
    commands = [step.get("run", "") for step in job_steps]
    assert workflow["on"] == "pull_request"
    install = next(c for c in commands if c.startswith("pip install"))
    assert pip_install(install)[1] == (
        "requirements.txt",
        ".security-baseline/policies/requirements.txt",
    )
    preview_command = next(c for c in commands if c.startswith("baseline preview"))
    for flag in (
        "--project .",
        "--stack prod",
        "--policy-pack ",
        "--policy-pack-config ",
        "--sarif out.sarif",
    ):
        assert flag in preview_command
    upload = next(
        s for s in job_steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")
    )
    assert upload["if"] == "always() && hashFiles('out.sarif') != ''"
    assert upload["with"]["sarif_file"] == "out.sarif"
    assert workflow["permissions"]["security-events"] == "write"
