"""Properties of the alert formatter and the guardrails custom resource, for any input.

Any event becomes an alert whose email text has one line per field and whose chat payload
carries no active markup; any custom resource properties give settings or a ValueError; any
failure reason fits CloudFormation's 4,096-byte response.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from baseline.capabilities.alerts.functions.alert_format import handler as alert_format
from baseline.capabilities.guardrails.functions.account_settings import handler as account_settings
from tests.hostile_input import PROPERTY, hostile, json_values, text, within_memory
from tests.paths import FIXTURES

EVENTS = FIXTURES / "events"
KNOWN = [
    json.loads((EVENTS / f"{name}.json").read_text())
    for name in (
        "guardduty_high",
        "securityhub_high_new",
        "macie_sensitive_data",
        "cloudtrail_stop_logging",
        "codepipeline_failed",
        "codebuild_failed",
        "health_instance_retirement",
    )
]
PROPERTIES = {
    "ServiceToken": "arn:aws:lambda:eu-west-1:111111111111:function:account-settings",
    "BlockS3PublicAccess": "true",
    "EnableEbsEncryptionByDefault": "true",
    "EbsDefaultKmsKeyId": "",
    "SetPasswordPolicy": "true",
    "MinimumPasswordLength": "14",
    "MaxPasswordAgeDays": "90",
    "PasswordReusePrevention": "24",
}


ENVELOPE = ("version", "id", "source", "account", "time", "region", "resources", "detail")


def any_event() -> st.SearchStrategy[Any]:
    """Real events changed anywhere, or an EventBridge envelope of any values, of every kind."""
    envelopes = st.fixed_dictionaries(
        {"detail-type": st.sampled_from([*alert_format.FORMATTERS, "Anything Else"])},
        optional={key: json_values for key in ENVELOPE},
    )
    changed = st.one_of(*(hostile(event) for event in KNOWN))
    return st.one_of(envelopes, changed.filter(lambda event: isinstance(event, dict)))


@PROPERTY
@given(any_event())
def test_any_event_becomes_an_alert_with_one_line_per_field(event: dict[str, Any]) -> None:
    alert = within_memory(lambda: alert_format.format_event(event))
    lines = alert.text().splitlines()
    assert len(lines) == len(alert.fields()) + 4
    assert [line for line in lines if line.startswith("Console: ")] == [lines[-1]]
    subject = alert.subject()
    assert subject.isascii() and len(subject) <= alert_format.SUBJECT_LIMIT
    message = json.loads(alert_format.sns_message(alert))
    chat = json.loads(message["https"])["content"]
    assert len(chat["description"].splitlines()) == len(alert.fields())
    for rendered in (chat["title"], chat["description"], *chat["nextSteps"]):
        assert "<" not in rendered and ">" not in rendered
    assert alert.link.startswith("https://") and "\n" not in alert.link


@PROPERTY
@given(st.dictionaries(st.sampled_from(sorted(PROPERTIES)), json_values) | hostile(PROPERTIES))
def test_any_custom_resource_properties_give_settings_or_a_value_error(properties: Any) -> None:
    if not isinstance(properties, dict):
        return
    try:
        settings = account_settings.parse_settings(properties)
    except ValueError as error:
        assert str(error)
        return
    assert isinstance(settings.block_s3_public_access, bool)


@PROPERTY
@given(text, st.text(max_size=80), st.integers(min_value=0, max_value=4096))
def test_any_failure_reason_fits_its_room(reason: str, log_stream: str, room: int) -> None:
    suffix = f" (log stream {log_stream})"
    fitted = account_settings.fitted_reason(reason * 50, suffix, room)
    floor = len(json.dumps(suffix + account_settings.CUT_MARK)) - 2
    assert len(json.dumps(fitted)) - 2 <= max(room, floor)
    assert fitted.endswith(suffix)
