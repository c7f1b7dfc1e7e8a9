"""EventBridge event patterns of the alerts: findings worth a notification, and tampering.

Pure data, so tests can run each pattern against real event shapes. Field names and values
follow the events the services document: GuardDuty's numeric `detail.severity`, Security Hub's
ASFF findings (one array, matched element-wise by EventBridge), Macie's finding `type`,
`category` and `severity`, and CloudTrail management events delivered as
`AWS API Call via CloudTrail`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Pattern = dict[str, Any]

# GuardDuty's severity bands start at these values (GuardDuty user guide, "Severity levels").
GUARDDUTY_SEVERITY_FLOOR = {"LOW": 1, "MEDIUM": 4, "HIGH": 7, "CRITICAL": 9}
SECURITYHUB_LABELS = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
SECURITYHUB_IMPORTED = "Security Hub Findings - Imported"
FIREWALL_MANAGER_PRODUCT = "Firewall Manager"
# Findings these products send to Security Hub have their own rules: notifying them twice
# would double every alert. Security Hub sets ProductName ("Macie" with ProductArn
# arn:<partition>:securityhub:<region>::product/aws/macie; tests/fixtures/events).
ROUTED_ELSEWHERE = ("GuardDuty", "Macie", FIREWALL_MANAGER_PRODUCT)
# Macie's own severity descriptions (botocore macie2 SeverityDescription), as Security Hub
# labels them: Macie has no CRITICAL.
MACIE_SEVERITIES = {"LOW": "Low", "MEDIUM": "Medium", "HIGH": "High"}
PIPELINE_FAILURE_STATES = ("FAILED", "STOPPED")
BUILD_FAILURE_STATES = ("FAILED", "FAULT", "STOPPED", "TIMED_OUT")
CLOUDTRAIL_API_CALL = "AWS API Call via CloudTrail"

# API calls that switch off or weaken a baseline control, by the service that logs them.
TAMPER_CALLS: dict[str, tuple[str, ...]] = {
    "cloudtrail": ("StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"),
    "guardduty": (
        "DeleteDetector",
        "UpdateDetector",
        "DisassociateFromAdministratorAccount",
        "DisassociateFromMasterAccount",
    ),
    "securityhub": ("DisableSecurityHub", "BatchDisableStandards"),
    "macie2": ("DisableMacie", "UpdateMacieSession"),
    "config": (
        "StopConfigurationRecorder",
        "DeleteConfigurationRecorder",
        "DeleteDeliveryChannel",
        "DeleteConformancePack",
        "DeleteOrganizationConformancePack",
    ),
    "s3": ("DeleteBucketPolicy", "PutBucketPolicy", "DeletePublicAccessBlock"),
    "kms": ("DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"),
    "codepipeline": ("UpdatePipeline", "DeletePipeline"),
    "codebuild": ("CreateProject", "DeleteProject"),
}


def guardduty_findings(min_severity: str) -> Pattern:
    """GuardDuty findings whose numeric severity is at or above the band `min_severity`."""
    floor = GUARDDUTY_SEVERITY_FLOOR[min_severity]
    return {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", floor]}]},
    }


def securityhub_findings(labels: Sequence[str]) -> Pattern:
    """New, active Security Hub findings of the given severity labels."""
    unknown = sorted(set(labels) - set(SECURITYHUB_LABELS))
    if not labels or unknown:
        raise ValueError(f"Security Hub labels are {', '.join(SECURITYHUB_LABELS)}: {unknown}")
    return {
        "source": ["aws.securityhub"],
        "detail-type": [SECURITYHUB_IMPORTED],
        "detail": {
            "findings": {
                "Severity": {"Label": list(labels)},
                "Workflow": {"Status": ["NEW"]},
                "RecordState": ["ACTIVE"],
                "ProductName": [{"anything-but": list(ROUTED_ELSEWHERE)}],
            }
        },
    }


def firewall_manager_findings() -> Pattern:
    """Compliance findings Firewall Manager reports through Security Hub."""
    return {
        "source": ["aws.securityhub"],
        "detail-type": [SECURITYHUB_IMPORTED],
        "detail": {
            "findings": {
                "ProductName": [FIREWALL_MANAGER_PRODUCT],
                "Workflow": {"Status": ["NEW"]},
                "RecordState": ["ACTIVE"],
            }
        },
    }


def macie_sensitive_data() -> Pattern:
    """Macie findings of sensitive data in S3 objects (type `SensitiveData:...`)."""
    return {
        "source": ["aws.macie"],
        "detail-type": ["Macie Finding"],
        "detail": {"type": [{"prefix": "SensitiveData"}]},
    }


def macie_policy_findings(labels: Sequence[str]) -> Pattern | None:
    """Macie's policy findings (bucket settings) of the given Security Hub labels.

    What the Security Hub rule alerted on before it left Macie's copies out. None when no label
    is one Macie uses.
    """
    descriptions = [MACIE_SEVERITIES[label] for label in labels if label in MACIE_SEVERITIES]
    if not descriptions:
        return None
    return {
        "source": ["aws.macie"],
        "detail-type": ["Macie Finding"],
        "detail": {"category": ["POLICY"], "severity": {"description": descriptions}},
    }


def codepipeline_failures() -> Pattern:
    return {
        "source": ["aws.codepipeline"],
        "detail-type": ["CodePipeline Pipeline Execution State Change"],
        "detail": {"state": list(PIPELINE_FAILURE_STATES)},
    }


def codebuild_failures() -> Pattern:
    return {
        "source": ["aws.codebuild"],
        "detail-type": ["CodeBuild Build State Change"],
        "detail": {"build-status": list(BUILD_FAILURE_STATES)},
    }


def tamper_pattern(service: str) -> Pattern:
    """Calls of TAMPER_CALLS[service], successful or refused: an attempt is news too.

    `source` is only required to start with `aws.`, which custom PutEvents callers cannot
    use; the service's own identity is its `eventSource`.
    """
    return {
        "source": [{"prefix": "aws."}],
        "detail-type": [CLOUDTRAIL_API_CALL],
        "detail": {
            "eventSource": [f"{service}.amazonaws.com"],
            "eventName": list(TAMPER_CALLS[service]),
        },
    }


def findings_patterns(min_severity: str, labels: Sequence[str]) -> dict[str, Pattern]:
    """One rule per source: each finding reaches exactly one of them."""
    patterns = {
        "guardduty": guardduty_findings(min_severity),
        "securityhub": securityhub_findings(labels),
        "macie": macie_sensitive_data(),
        "firewall-manager": firewall_manager_findings(),
    }
    macie_policy = macie_policy_findings(labels)
    if macie_policy is not None:
        patterns["macie-policy"] = macie_policy
    return patterns


def pipeline_patterns() -> dict[str, Pattern]:
    return {"codepipeline": codepipeline_failures(), "codebuild": codebuild_failures()}


def tamper_patterns() -> dict[str, Pattern]:
    return {f"tamper-{service}": tamper_pattern(service) for service in TAMPER_CALLS}
