"""The offline engine: mocks that answer like AWS, the recorded plan, and the program runner."""

import json
import re
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from baseline.preview.engine import plan_project
from baseline.preview.model import Plan, PlannedResource
from baseline.preview.render import display_value, plan_json, render_tree
from baseline.preview.runner import DuplicateResourceUrnError, ProgramError, run_inline
from baseline.project import load_stack_file
from tests.organization_harness import account_provider

FIXTURES = Path(__file__).parent / "fixtures" / "projects"
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def only(plan: Plan, type_token: str) -> PlannedResource:
    matches = [r for r in plan.resources if r.type == type_token]
    assert len(matches) == 1, [r.type for r in plan.resources]
    return matches[0]


def key_and_topic() -> None:
    key = aws.kms.Key("key", enable_key_rotation=True)
    aws.sns.Topic("topic", kms_master_key_id=key.arn)


@pytest.mark.parametrize("preview", [True, False])
def test_inputs_built_from_computed_arns_are_filled(preview):
    plan = run_inline(key_and_topic, preview=preview)
    key, topic = only(plan, "aws:kms/key:Key"), only(plan, "aws:sns/topic:Topic")
    assert key.outputs["arn"] == f"arn:aws:kms:us-east-1:123456789012:key/{key.id}"
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    assert topic.property_dependencies == {"kmsMasterKeyId": (key.urn,)}
    assert topic.outputs["arn"].startswith("arn:aws:sns:us-east-1:123456789012:topic-")


def test_the_same_program_plans_the_same_ids():
    first, second = run_inline(key_and_topic), run_inline(key_and_topic)
    assert [r.id for r in first.resources] == [r.id for r in second.resources]


def test_account_comes_from_the_provider_role_and_region_from_the_resource():
    def program() -> None:
        security = account_provider("security", "222233334444", "us-east-1")
        aws.sns.Topic("topic", region="eu-west-1", opts=pulumi.ResourceOptions(provider=security))

    topic = only(run_inline(program), "aws:sns/topic:Topic")
    assert topic.outputs["arn"].startswith("arn:aws:sns:eu-west-1:222233334444:")
    assert topic.provider.startswith(
        "urn:pulumi:stack::project::pulumi:providers:aws::security::security-"
    )


def secret_endpoint_subscription() -> None:
    aws.sns.TopicSubscription(
        "hook",
        topic="arn:aws:sns:us-east-1:123456789012:t",
        protocol="https",
        endpoint=pulumi.Output.secret("https://hooks.example.com/T0K3N"),
    )


def test_secret_inputs_keep_their_signature():
    subscription = only(
        run_inline(secret_endpoint_subscription), "aws:sns/topicSubscription:TopicSubscription"
    )
    assert subscription.inputs["endpoint"] == {**SECRET, "value": "https://hooks.example.com/T0K3N"}
    assert display_value(subscription.inputs)["endpoint"] == "[secret]"


def test_components_are_parents_in_the_plan():
    class Pair(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("test:index:Pair", name)
            aws.s3.Bucket(f"{name}-bucket", opts=pulumi.ResourceOptions(parent=self))
            self.register_outputs({})

    plan = run_inline(lambda: Pair("pair"))
    pair, bucket = only(plan, "test:index:Pair"), only(plan, "aws:s3/bucket:Bucket")
    assert not pair.custom and bucket.parent == pair.urn
    assert bucket.outputs["bucket"].startswith("pair-bucket-")


def test_a_data_source_without_an_offline_answer_is_named():
    def program() -> None:
        aws.ec2.get_vpc(default=True)

    with pytest.raises(Exception, match="cannot answer the data source aws:ec2/getVpc:getVpc"):
        run_inline(program)


def test_a_project_is_planned_in_a_subprocess():
    plan = plan_project(load_stack_file(FIXTURES / "compliant", "dev"))
    assert plan.project == "fixture-compliant" and plan.stack == "dev"
    assert {r.type for r in plan.resources} >= {
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    }
    assert plan.stack_outputs["bucket"].startswith("data-")


def test_a_failing_program_is_reported_with_its_own_error():
    with pytest.raises(ProgramError) as raised:
        plan_project(load_stack_file(FIXTURES / "raises", "dev"))
    assert raised.value.lines == (
        "error: __main__.py:6: ValueError: the bucket name list is empty",
    )


def test_tree_and_json_describe_the_same_plan():
    plan = run_inline(key_and_topic, project="demo", stack="dev")
    tree = render_tree(plan)
    assert "Previewing demo/dev" in tree and "aws:sns/topic:Topic" in tree
    assert "Resources: 2 to create" in tree
    document = plan_json(plan, [], None)
    assert document["summary"]["by_type"] == {"aws:kms/key:Key": 1, "aws:sns/topic:Topic": 1}
    assert {r["type"] for r in document["resources"]} == {
        "pulumi:pulumi:Stack",
        "aws:kms/key:Key",
        "aws:sns/topic:Topic",
    }
    assert set(document) == {
        "stack",
        "project",
        "resources",
        "outputs",
        "violations",
        "exemptions",
        "summary",
    }


def test_data_sources_answer_for_the_provider_account_and_partition():
    def program() -> None:
        govcloud = aws.Provider(
            "gov",
            region="us-gov-west-1",
            assume_roles=[
                aws.ProviderAssumeRoleArgs(role_arn="arn:aws-us-gov:iam::555566667777:role/X")
            ],
        )
        invoke = pulumi.InvokeOutputOptions(provider=govcloud)
        identity = aws.get_caller_identity_output(opts=invoke)
        partition = aws.get_partition_output(opts=invoke)
        pulumi.export("account", identity.account_id)
        pulumi.export("partition", partition.partition)

    plan = run_inline(program)
    assert plan.stack_outputs == {"account": "555566667777", "partition": "aws-us-gov"}


def test_secret_inputs_stay_secret_in_the_outputs():
    subscription = only(
        run_inline(secret_endpoint_subscription), "aws:sns/topicSubscription:TopicSubscription"
    )
    assert subscription.outputs["endpoint"] == subscription.inputs["endpoint"]
    assert "T0K3N" not in json.dumps(display_value(subscription.outputs))
    assert subscription.outputs["arn"].startswith("arn:aws:sns:")


def test_the_json_carries_the_graph_as_pulumis_state_does():
    def program() -> None:
        security = account_provider("security", "222233334444", "us-east-1")
        key = aws.kms.Key("key", opts=pulumi.ResourceOptions(provider=security))
        topic = aws.sns.Topic(
            "topic", kms_master_key_id=key.arn, opts=pulumi.ResourceOptions(provider=security)
        )
        aws.sns.TopicPolicy(
            "policy",
            arn=topic.arn,
            policy="{}",
            opts=pulumi.ResourceOptions(provider=security, depends_on=[key]),
        )
        aws.s3.Bucket("default-provider")

    plan = run_inline(program, project="demo", stack="dev")
    resources = {r["name"]: r for r in plan_json(plan, [], None)["resources"]}
    security = "urn:pulumi:dev::demo::pulumi:providers:aws::security"
    key, topic = resources["key"]["urn"], resources["topic"]["urn"]
    assert resources["topic"]["provider"] == security
    assert resources["topic"]["dependencies"] == [key]
    assert resources["topic"]["propertyDependencies"] == {"kmsMasterKeyId": [key]}
    assert set(resources["policy"]["dependencies"]) == {key, topic}
    assert resources["policy"]["propertyDependencies"] == {"arn": [topic]}
    # The engine's default provider, named after the package version the SDK registers with.
    assert re.fullmatch(
        r"urn:pulumi:dev::demo::pulumi:providers:aws::default_\d+_\d+_\d+",
        resources["default-provider"]["provider"],
    )
    # Providers, components and the stack have none.
    assert resources["security"]["provider"] == resources["demo-dev"]["provider"] == ""
    for resource in resources.values():
        assert {"provider", "dependencies", "propertyDependencies"} <= set(resource)


def test_a_second_registration_of_a_urn_is_refused_with_the_engines_words():
    def program() -> None:
        aws.sns.Topic("alerts")
        aws.sns.Topic("alerts")
        aws.sns.Topic("other")

    with pytest.raises(DuplicateResourceUrnError) as raised:
        run_inline(program, project="demo", stack="dev")
    assert raised.value.urns == ("urn:pulumi:dev::demo::aws:sns/topic:Topic::alerts",)
    assert str(raised.value) == (
        "Duplicate resource URN 'urn:pulumi:dev::demo::aws:sns/topic:Topic::alerts'; "
        "try giving it a unique name"
    )


def test_the_same_name_under_different_parents_is_no_duplicate():
    class Box(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("test:index:Box", name)
            aws.sns.Topic("alerts", opts=pulumi.ResourceOptions(parent=self))

    class Crate(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("test:index:Crate", name)
            aws.sns.Topic("alerts", opts=pulumi.ResourceOptions(parent=self))

    plan = run_inline(lambda: (Box("one"), Crate("one")))
    assert len([r for r in plan.resources if r.type == "aws:sns/topic:Topic"]) == 2


def test_a_child_urn_carries_the_whole_qualified_type_of_its_parent():
    # pulumi's resource.NewURN: the parent URN's QualifiedType (all of it), `$`, the type.
    class Inner(pulumi.ComponentResource):
        def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
            super().__init__("test:index:Inner", name, None, opts)
            aws.sns.Topic(f"{name}-topic", opts=pulumi.ResourceOptions(parent=self))

    class Outer(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("test:index:Outer", name)
            Inner(f"{name}-inner", pulumi.ResourceOptions(parent=self))

    plan = run_inline(lambda: Outer("outer"))
    topic = only(plan, "aws:sns/topic:Topic")
    qualified = "test:index:Outer$test:index:Inner$aws:sns/topic:Topic"
    assert topic.urn == f"urn:pulumi:stack::project::{qualified}::outer-inner-topic"
    assert only(plan, "test:index:Outer").urn.endswith("::test:index:Outer::outer")


class RegistrationFailed(Exception):
    pass


def _raise(error: Exception) -> str:
    raise error


def test_a_program_whose_registrations_fail_leaves_nothing_to_the_next_run():
    def failing() -> None:
        # Several registrations wait on one Output that fails: the runtime stops waiting at the
        # first, and must not hand the others to the next program run in this process.
        broken = pulumi.Output.from_input("").apply(lambda _: _raise(RegistrationFailed("no name")))
        for index in range(3):
            aws.sns.Topic(f"broken-{index}", name=broken)

    with pytest.raises(RegistrationFailed, match="no name"):
        run_inline(failing)
    plan = run_inline(lambda: aws.sns.Topic("sound"))
    assert [r.name for r in plan.resources if r.type == "aws:sns/topic:Topic"] == ["sound"]
