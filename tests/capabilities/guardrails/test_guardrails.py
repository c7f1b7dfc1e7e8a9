"""AccountGuardrails under the offline mocks, and the `guardrails` section of the spec."""

from typing import Any

import cerberus
import pulumi
import pulumi_aws as aws
import pytest
from cfnlint.decode import decode_str

from baseline.capabilities.guardrails import section
from baseline.capabilities.guardrails.component import (
    HANDLER_PATH,
    AccountGuardrails,
    AccountGuardrailsArgs,
    ConfigDelivery,
    PasswordPolicy,
    render_template,
)
from baseline.preview.model import Plan, PlannedResource
from tests.components_harness import of_type, only, plan_of

OUS = ("ou-ab12-cdefgh34", "ou-ab12-ijklmn56")
REGIONS = ("eu-west-1", "eu-central-1", "us-east-1")
STACK_SET = "aws:cloudformation/stackSet:StackSet"
INSTANCE = "aws:cloudformation/stackSetInstance:StackSetInstance"
COMPONENT = "security-baseline:guardrails:AccountGuardrails"


def guardrails_plan(args: AccountGuardrailsArgs, preview: bool = False) -> Plan:
    def program() -> None:
        management = aws.Provider("management", region="eu-west-1")
        guardrails = AccountGuardrails(
            "guardrails", args, opts=pulumi.ResourceOptions(provider=management)
        )
        pulumi.export("stack_set_name", guardrails.stack_set_name)
        pulumi.export("stack_set_id", guardrails.stack_set_id)

    return plan_of(program, preview=preview)


def default_args(**overrides: Any) -> AccountGuardrailsArgs:
    values: dict[str, Any] = {
        "organizational_units": OUS,
        "regions": REGIONS,
        "home_region": "eu-west-1",
        **overrides,
    }
    return AccountGuardrailsArgs(
        organizational_unit_ids=values.pop("organizational_units"), **values
    )


def template_parameter_names() -> set[str]:
    template, _ = decode_str(render_template())
    return set(template["Parameters"])


def uses_management_provider(resource: PlannedResource) -> bool:
    return "::pulumi:providers:aws::management::" in resource.provider


def test_one_service_managed_stack_set_auto_deployed_to_the_organization() -> None:
    plan = guardrails_plan(default_args())

    stack_set = only(plan, STACK_SET)
    inputs = stack_set.inputs
    assert inputs["permissionModel"] == "SERVICE_MANAGED"
    assert inputs["autoDeployment"] == {"enabled": True, "retainStacksOnAccountRemoval": False}
    assert inputs["callAs"] == "SELF"
    assert inputs["capabilities"] == ["CAPABILITY_IAM"]
    assert inputs["managedExecution"] == {"active": True}
    assert inputs["operationPreferences"] == {
        "failureTolerancePercentage": 0.0,
        "maxConcurrentPercentage": 25.0,
        "regionConcurrencyType": "PARALLEL",
    }
    assert inputs["name"] == "security-baseline-account-guardrails"
    assert uses_management_provider(stack_set)
    component = only(plan, COMPONENT)
    assert stack_set.parent == component.urn
    assert plan.stack_outputs["stack_set_name"] == "security-baseline-account-guardrails"
    assert plan.stack_outputs["stack_set_id"] == stack_set.outputs["stackSetId"]


def test_the_template_body_is_the_shipped_template_with_the_handler_embedded() -> None:
    plan = guardrails_plan(default_args())

    body = only(plan, STACK_SET).inputs["templateBody"]
    assert body == render_template()
    template, problems = decode_str(body)
    assert not problems
    code = template["Resources"]["AccountSettingsFunction"]["Properties"]["Code"]["ZipFile"]
    assert code == HANDLER_PATH.read_text(encoding="utf-8")


def test_one_instance_per_region_targets_the_ous_and_never_accounts() -> None:
    plan = guardrails_plan(default_args())

    stack_set = only(plan, STACK_SET)
    instances = of_type(plan, INSTANCE)
    assert sorted(i.inputs["stackSetInstanceRegion"] for i in instances) == sorted(REGIONS)
    for instance in instances:
        assert instance.inputs["stackSetName"] == stack_set.outputs["name"]
        # Accounts join through their OU, so the program never lists one.
        assert instance.inputs["deploymentTargets"] == {"organizationalUnitIds": list(OUS)}
        assert "accountId" not in instance.inputs
        assert instance.inputs["callAs"] == "SELF"
        assert instance.inputs["operationPreferences"] == {
            "concurrencyMode": "SOFT_FAILURE_TOLERANCE",
            "failureTolerancePercentage": 0.0,
            "maxConcurrentPercentage": 25.0,
        }
        assert instance.parent == only(plan, COMPONENT).urn
        assert uses_management_provider(instance)
        assert stack_set.urn in instance.dependencies


def test_secure_defaults_fill_every_template_parameter() -> None:
    plan = guardrails_plan(default_args())

    parameters = only(plan, STACK_SET).inputs["parameters"]
    assert set(parameters) == template_parameter_names()
    assert parameters == {
        "HomeRegion": "eu-west-1",
        "EnableAccessAnalyzer": "true",
        "EnableConfigRecorder": "false",
        "OwnConfigRecorderAccount1": "",
        "OwnConfigRecorderAccount2": "",
        "ConfigDeliveryBucketName": "",
        "ConfigDeliveryKeyPrefix": "",
        "ConfigDeliveryKmsKeyArn": "",
        "BlockS3PublicAccess": "true",
        "EnableEbsEncryptionByDefault": "true",
        "EbsDefaultKmsKeyId": "",
        "SetPasswordPolicy": "true",
        "MinimumPasswordLength": "14",
        "MaxPasswordAgeDays": "90",
        "PasswordReusePrevention": "24",
        "CloseDefaultSecurityGroups": "true",
        "SecurityAccountId": "",
    }


def test_the_config_recorder_delivers_to_the_log_archive_given() -> None:
    def program() -> None:
        archive = aws.s3.Bucket("archive")
        key = aws.kms.Key("archive-key")
        AccountGuardrails(
            "guardrails",
            default_args(
                config_recorder=ConfigDelivery(bucket_name=archive.bucket, kms_key_arn=key.arn),
                ebs_default_kms_key_id="alias/ebs-default",
                password_policy=PasswordPolicy(minimum_length=16, max_age_days=60),
                call_as="DELEGATED_ADMIN",
                failure_tolerance_percentage=10,
                max_concurrent_percentage=50,
            ),
        )

    plan = plan_of(program)

    stack_set = only(plan, STACK_SET)
    parameters = stack_set.inputs["parameters"]
    assert parameters["EnableConfigRecorder"] == "true"
    assert (
        parameters["ConfigDeliveryBucketName"]
        == only(plan, "aws:s3/bucket:Bucket").outputs["bucket"]
    )
    assert parameters["ConfigDeliveryKeyPrefix"] == "config"
    assert parameters["ConfigDeliveryKmsKeyArn"] == only(plan, "aws:kms/key:Key").outputs["arn"]
    assert parameters["EbsDefaultKmsKeyId"] == "alias/ebs-default"
    assert (parameters["MinimumPasswordLength"], parameters["MaxPasswordAgeDays"]) == ("16", "60")
    assert stack_set.inputs["callAs"] == "DELEGATED_ADMIN"
    assert stack_set.inputs["operationPreferences"]["maxConcurrentPercentage"] == 50.0
    for instance in of_type(plan, INSTANCE):
        assert instance.inputs["callAs"] == "DELEGATED_ADMIN"
        assert instance.inputs["operationPreferences"]["failureTolerancePercentage"] == 10.0


def test_accounts_recorded_elsewhere_fill_the_templates_slots_in_order() -> None:
    one = guardrails_plan(default_args(accounts_with_own_config_recorder=("222222222222",)))
    two = guardrails_plan(
        default_args(accounts_with_own_config_recorder=("222222222222", "333333333333"))
    )

    parameters = only(one, STACK_SET).inputs["parameters"]
    assert (parameters["OwnConfigRecorderAccount1"], parameters["OwnConfigRecorderAccount2"]) == (
        "222222222222",
        "",
    )
    parameters = only(two, STACK_SET).inputs["parameters"]
    assert (parameters["OwnConfigRecorderAccount1"], parameters["OwnConfigRecorderAccount2"]) == (
        "222222222222",
        "333333333333",
    )


def test_the_security_account_receives_the_tamper_events() -> None:
    plan = guardrails_plan(default_args(security_account_id="222222222222"))

    parameters = only(plan, STACK_SET).inputs["parameters"]
    assert parameters["SecurityAccountId"] == "222222222222"
    assert parameters["HomeRegion"] == "eu-west-1"


def test_turning_settings_off_takes_explicit_arguments() -> None:
    plan = guardrails_plan(
        default_args(
            access_analyzer=False,
            s3_block_public_access=False,
            ebs_encryption_by_default=False,
            password_policy=None,
        )
    )

    parameters = only(plan, STACK_SET).inputs["parameters"]
    for flag in (
        "EnableAccessAnalyzer",
        "BlockS3PublicAccess",
        "EnableEbsEncryptionByDefault",
        "SetPasswordPolicy",
    ):
        assert parameters[flag] == "false", flag
    # The template still gets valid values for the parameters it ignores.
    assert parameters["MinimumPasswordLength"] == "14"


def test_more_regions_add_instances_and_nothing_else() -> None:
    one = guardrails_plan(default_args(regions=("eu-west-1",)))
    three = guardrails_plan(default_args())

    assert len(of_type(one, INSTANCE)) == 1
    assert len(three.resources) - len(one.resources) == 2
    assert only(one, STACK_SET).inputs == only(three, STACK_SET).inputs


def test_preview_plans_the_same_resources() -> None:
    plan = guardrails_plan(default_args(), preview=True)

    assert len(of_type(plan, INSTANCE)) == len(REGIONS)
    assert only(plan, STACK_SET).inputs["templateBody"] == render_template()


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"organizational_units": ()}, "at least one OU"),
        ({"organizational_units": ("ou-ab12",)}, "'ou-ab12' is no OU"),
        ({"organizational_units": (OUS[0], OUS[0])}, "an OU is listed twice"),
        ({"home_region": "ap-south-1"}, "must include the home region ap-south-1"),
        ({"regions": ()}, "at least one region"),
        ({"call_as": "ADMIN"}, "call_as"),
        ({"failure_tolerance_percentage": 101}, "failure_tolerance_percentage"),
        ({"max_concurrent_percentage": 0}, "max_concurrent_percentage"),
        ({"ebs_default_kms_key_id": "my-key"}, "'my-key' is no KMS key"),
        ({"security_account_id": "22222222222"}, "'22222222222' is no account"),
        ({"accounts_with_own_config_recorder": ("2222",)}, "'2222' is no account"),
        (
            {"accounts_with_own_config_recorder": ("222222222222", "222222222222")},
            "at most 2 different accounts",
        ),
        (
            {"accounts_with_own_config_recorder": ("111111111111", "222222222222", "3" * 12)},
            "at most 2 different accounts",
        ),
    ],
)
def test_invalid_arguments_are_refused(overrides: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        default_args(**overrides)


@pytest.mark.parametrize(
    ("policy", "problem"),
    [
        ({"minimum_length": 8}, "minimum_length: must be 14..128"),
        ({"max_age_days": 0}, "max_age_days: must be 1..1095"),
        ({"reuse_prevention": 25}, "reuse_prevention: must be 1..24"),
    ],
)
def test_a_weak_password_policy_is_refused(policy: dict[str, int], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        PasswordPolicy(**policy)


def test_the_root_is_a_valid_target() -> None:
    assert default_args(organizational_units=("r-ab12",)).organizational_unit_ids == ("r-ab12",)


# The spec section.


def validated(document: dict[str, Any]) -> cerberus.Validator:
    validator = cerberus.Validator(section.SCHEMA)
    validator.validate(document)
    return validator


def test_an_empty_section_is_off_with_secure_defaults() -> None:
    validator = validated({})

    assert not validator.errors
    spec = section.parse(validator.document, recorder_needed=False)
    assert spec == section.GuardrailsSpec(
        enabled=False,
        organizational_units=(),
        regions=None,
        access_analyzer=True,
        config_recorder=False,
        s3_block_public_access=True,
        ebs_encryption_by_default=True,
        ebs_default_kms_key_id=None,
        close_default_security_groups=True,
        password_policy=section.PasswordPolicySpec(
            minimum_length=14, max_age_days=90, reuse_prevention=24
        ),
        call_as="SELF",
        failure_tolerance_percentage=0,
        max_concurrent_percentage=25,
    )


@pytest.mark.parametrize(
    ("given", "needed", "recorded"),
    [
        (None, True, True),
        (None, False, False),
        (False, True, False),
        (True, False, True),
    ],
)
def test_an_absent_config_recorder_follows_what_other_sections_need(
    given: bool | None, needed: bool, recorded: bool
) -> None:
    document = {} if given is None else {"config_recorder": given}
    validator = validated(document)

    assert not validator.errors
    assert section.parse(validator.document, recorder_needed=needed).config_recorder is recorded


def test_a_full_section_parses() -> None:
    validator = validated(
        {
            "enabled": True,
            "organizational_units": ["r-ab12", "ou-ab12-cdefgh34"],
            "regions": ["eu-west-1", "eu-central-1"],
            "config_recorder": True,
            "ebs_default_kms_key_id": "alias/ebs-default",
            "password_policy": {"minimum_length": 16},
            "call_as": "DELEGATED_ADMIN",
            "max_concurrent_percentage": 50,
        }
    )

    assert not validator.errors
    spec = section.parse(validator.document, recorder_needed=False)
    assert spec.organizational_units == ("r-ab12", "ou-ab12-cdefgh34")
    assert spec.regions == ("eu-west-1", "eu-central-1")
    assert spec.config_recorder
    assert spec.password_policy == section.PasswordPolicySpec(16, 90, 24)
    assert (spec.call_as, spec.max_concurrent_percentage) == ("DELEGATED_ADMIN", 50)


@pytest.mark.parametrize(
    ("document", "errors"),
    [
        (
            {"organizational_units": ["ou-ab12-cdefgh34", "ou-AB12"]},
            {
                "organizational_units": [
                    {
                        1: [
                            "must be an OU id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx), "
                            "got 'ou-AB12'"
                        ]
                    }
                ]
            },
        ),
        (
            {"password_policy": {"minimum_length": 8}},
            {"password_policy": [{"minimum_length": ["min value is 14"]}]},
        ),
        (
            {"organizational_units": ["r-ab12", "r-ab12"]},
            {"organizational_units": ["'r-ab12' is listed twice"]},
        ),
        ({"regions": ["eu-west-1", "mars-1"]}, {"regions": [{1: ["unknown AWS region 'mars-1'"]}]}),
        ({"regions": []}, {"regions": ["min length is 1"]}),
        ({"call_as": "ADMIN"}, {"call_as": ["unallowed value ADMIN"]}),
        ({"max_concurrent_percentage": 0}, {"max_concurrent_percentage": ["min value is 1"]}),
        (
            {"ebs_default_kms_key_id": "my-key"},
            {
                "ebs_default_kms_key_id": [
                    "must be a KMS key id, key ARN, alias (alias/name) or alias ARN, got 'my-key'"
                ]
            },
        ),
        ({"stack_sets": True}, {"stack_sets": ["unknown field"]}),
    ],
)
def test_invalid_sections_report_each_problem_where_it_is(
    document: dict[str, Any], errors: dict[str, Any]
) -> None:
    assert validated(document).errors == errors


def test_enabled_guardrails_need_an_ou() -> None:
    validator = cerberus.Validator({"guardrails": section.SECTION})

    assert not validator.validate({"guardrails": {"enabled": True}})
    assert validator.errors == {
        "guardrails": [
            {"organizational_units": ["at least one OU is required when guardrails are enabled"]}
        ]
    }
    assert validator.validate({"guardrails": {"enabled": True, "organizational_units": OUS}})
