"""The Slack Block Kit message that asks a reviewer to approve quarantining a finding's object.

The Remediate button's value names the finding by its id, and nothing else: the approval handler
acts on the finding as Macie returns it for that id, so no other content of a button is trusted
(anyone who holds the webhook URL can post a message with a button of their own). Buttons of
older messages, which carried the whole finding, work the same way: only their id is read.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

# mypy sees the package; Lambda and the tests load each file as a top-level module.
if TYPE_CHECKING:
    from . import remediation_common as common
else:
    import remediation_common as common

DETECTIONS_SHOWN = 8
# Slack caps a field at 2000 characters; escaping can grow a 1024-byte key fivefold.
DISPLAYED_URI_LIMIT = 300
CONSOLE_HOSTS = {
    "aws": "{region}.console.aws.amazon.com",
    "aws-cn": "console.amazonaws.cn",
    "aws-us-gov": "console.amazonaws-us-gov.com",
}
REGION_PATTERN = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")


def review_message(finding: Mapping[str, Any], quarantine_bucket: str) -> dict[str, Any]:
    """The webhook message: the finding, its object, a console link and the Remediate button."""
    target = common.AffectedObject.from_finding(finding)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Macie: sensitive data found"}},
        _mrkdwn_section(_summary(finding, quarantine_bucket)),
        {"type": "section", "fields": _fields(finding, target)},
    ]
    link = console_url(finding)
    if link is not None:
        blocks.append(_mrkdwn_section(f"<{link}|Open the finding in the Macie console>"))
    blocks.append(
        {
            "type": "actions",
            "block_id": "macie_remediation",
            "elements": [_button(button_value(finding))],
        }
    )
    fallback = (
        f"Macie finding {finding['type']} ({_severity_text(finding)}) in {_shortened(target.uri)}"
    )
    return {"text": escape(fallback), "blocks": blocks}


def button_value(finding: Mapping[str, Any]) -> str:
    return _compact_json({"id": finding["id"]})


def console_url(finding: Mapping[str, Any]) -> str | None:
    """The finding in the Macie console of its own region and partition."""
    region = finding.get("region")
    host = CONSOLE_HOSTS.get(str(finding.get("partition") or "aws"))
    if host is None or not isinstance(region, str) or not REGION_PATTERN.fullmatch(region):
        return None
    finding_id = urllib.parse.quote(str(finding["id"]), safe="")
    return (
        f"https://{host.format(region=region)}/macie/home?region={region}"
        f"#findings?search=id%3D{finding_id}&macros=current&itemId={finding_id}"
    )


def escape(text: str) -> str:
    """Text made inert in Slack mrkdwn: object keys and titles may contain anything.

    Slack reserves &, < and > (links, mentions) and has no escape for the backtick, which would
    close the code span an object key is shown in and let the key add its own formatting: it is
    shown as a look-alike (U+02CB). Control characters are shown as escapes, not acted on.
    """
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(_visible(character) for character in escaped.replace("`", "\u02cb"))


def _visible(character: str) -> str:
    if character.isprintable() or character == " ":
        return character
    return character.encode("unicode_escape").decode("ascii")


def detections(finding: Mapping[str, Any]) -> list[str]:
    """What Macie found, e.g. "AWS_CREDENTIALS x2", from managed and custom data identifiers."""
    result = _nested(finding, "classificationDetails", "result")
    found: list[str] = []
    for category in _list(result.get("sensitiveData")):
        for detection in _list(category.get("detections")):
            found.append(f"{detection.get('type')} x{detection.get('count')}")
    for detection in _list(_nested(result, "customDataIdentifiers").get("detections")):
        found.append(f"{detection.get('name')} x{detection.get('count')} (custom identifier)")
    return found


def _summary(finding: Mapping[str, Any], quarantine_bucket: str) -> str:
    found = detections(finding)
    shown = ", ".join(found[:DETECTIONS_SHOWN])
    if len(found) > DETECTIONS_SHOWN:
        shown += f" and {len(found) - DETECTIONS_SHOWN} more"
    title = str(finding.get("title") or finding["type"])
    lines = [f"*{escape(title)}*"]
    if shown:
        lines.append(f"Detected: {escape(shown)}")
    lines.append(
        "Remediate moves this object version to the quarantine bucket "
        f"`{escape(quarantine_bucket)}` and deletes it from its bucket."
    )
    return "\n".join(lines)


def _fields(finding: Mapping[str, Any], target: common.AffectedObject) -> list[dict[str, str]]:
    texts = [
        f"*Object*\n`{escape(_shortened(target.uri))}`",
        f"*Version*\n{escape(target.version_id)}",
        f"*Severity*\n{escape(_severity_text(finding))}",
        f"*Finding type*\n{escape(str(finding['type']))}",
        f"*Account / region*\n{escape(str(finding.get('accountId')))} / "
        f"{escape(str(finding.get('region')))}",
        f"*Finding id*\n{escape(target.finding_id)}",
    ]
    return [{"type": "mrkdwn", "text": text} for text in texts]


def _shortened(text: str) -> str:
    return text if len(text) <= DISPLAYED_URI_LIMIT else text[: DISPLAYED_URI_LIMIT - 3] + "..."


def _severity_text(finding: Mapping[str, Any]) -> str:
    severity = finding["severity"]
    score = severity.get("score")
    return f"{severity.get('description')}" + (f" ({score})" if score is not None else "")


def _button(value: str) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": common.REMEDIATE_ACTION_ID,
        "style": "danger",
        "text": {"type": "plain_text", "text": "Remediate"},
        "value": value,
        "confirm": {
            "title": {"type": "plain_text", "text": "Quarantine this object?"},
            "text": {
                "type": "plain_text",
                "text": "The object version is copied to the quarantine bucket, then deleted "
                "from its bucket.",
            },
            "confirm": {"type": "plain_text", "text": "Quarantine"},
            "deny": {"type": "plain_text", "text": "Cancel"},
        },
    }


def _mrkdwn_section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def _nested(mapping: Mapping[str, Any], *path: str) -> Mapping[str, Any]:
    current: Any = mapping
    for name in path:
        current = current.get(name) if isinstance(current, Mapping) else None
    return current if isinstance(current, Mapping) else {}


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
