"""The compliance table: which controls each policy of the pack, and each `baseline audit` check,
supports, and what the controls are called.

Plain data only (no imports): `baseline report` imports this file from the pack directory it is
given (`--policy-pack`, the project's `policies/` by default), without the pack's SDK; the pack's
policy metadata (`metadata.py`) is built from the same table, so the report and the pack never
disagree.

- `FRAMEWORKS`: the frameworks, in the order reports list them. The first that maps a policy
  is the one the policy SDK records as its `framework` (it holds only one).
- `CONTROLS[policy][framework]` and `CHECKS[audit check id][framework]`: control ids, the
  frameworks' own. An empty list means the framework has no control that the policy or check
  supports directly.
  A reminder (an advisory policy that asks for a check the plan cannot make, such as
  `fms-shield-advanced-subscription-outside-stack`) maps to no control at all: it evaluates
  none, so a report must not count what it says against one. So does `policy-exemptions`,
  which lists the waivers of the pack config: each counts against the exempted policy's
  controls, not its own.
- `RESOURCE_TYPES[policy]`: the resource types the policy evaluates, whose resources the
  report shows as that policy's evidence from a preview; `"*"` means every resource.
- `GUARDRAILS[statement Sid][framework]`: control ids of the preventive guardrails, the
  statements of the baseline's service and resource control policies (one statement per
  guardrail, its Sid naming it: baseline/capabilities/organization_policies/catalog.py and
  data_perimeter.py).
  A report shows as a guardrail's evidence the planned organization policies holding it.
- `CATALOG[framework]`: every control of a framework, id -> title, so that a report lists the
  whole framework, implemented or not, and its coverage is a number. CIS AWS Foundations
  Benchmark v3.0.0: the 62 recommendations, ids and titles as prowler's compliance data for it
  records them (prowler-cloud/prowler, prowler/compliance/aws/cis_3.0_aws.json).
- `TITLES[framework]`: what the cited controls of the other frameworks are called, as each
  framework words them: NIST SP 800-53 Rev. 5 control names (an enhancement after its base
  control's, with ` | `), NIST CSF 2.0 subcategory statements, APRA CPS 234 section headings,
  the SEC themes below. PCI DSS v4.0 requirements are long sentences: their first clause. A
  control with no title is shown by its id alone.

Control ids:
- CIS AWS Foundations Benchmark v3.0.0: recommendation numbers (3.2).
- PCI DSS v4.0: requirement numbers (10.3.2). GuardDuty's intrusion detection is often cited
  as "PCI DSS 11.4": that is the v3.2.1 number ("use intrusion-detection and/or
  intrusion-prevention techniques"). v4.0 moved it to 11.5.1 ("intrusion-detection and/or
  intrusion-prevention techniques are used to detect and/or prevent intrusions into the
  network") and gave 11.4 to penetration testing, which GuardDuty does not do. So GuardDuty
  maps to 11.5.1.
- NIST SP 800-53 Rev. 5: control identifiers, enhancements in parentheses (SC-28(1)).
- NIST Cybersecurity Framework 2.0 (February 2024): subcategory ids (PR.DS-01). CSF 2.0, not
  1.1: 2.0 is the current version and supersedes 1.1, whose ids these checks would cite are
  partly retired (audit logs were PR.PT-1, now PR.PS-04).
- APRA Prudential Standard CPS 234 (July 2019): paragraph numbers. 15 information security
  capability; 20 information asset classification; 21 implementation of controls; 23
  detecting and responding to incidents; 27 testing control effectiveness systematically.
- SEC examination themes: not a numbered standard but the themes the SEC Division of
  Examinations keeps raising about registrants' cloud estates (its risk alerts and yearly
  examination priorities): `misconfiguration` (storage and access left open by settings),
  `monitoring-and-oversight` (logging, detection, continuous review of settings) and
  `data-protection` (encryption, classification, protection of customer records, Regulation
  S-P). The theme ids are the "controls"; version 1.0 is that of this grouping.
"""

FRAMEWORKS: dict[str, dict[str, str]] = {
    "cis-aws-foundations": {
        "name": "CIS AWS Foundations Benchmark",
        "short": "CIS",
        "tag": "cis-aws-foundations-v3.0.0",
        "version": "3.0.0",
        "specification": "https://www.cisecurity.org/benchmark/amazon_web_services",
    },
    "pci-dss": {
        "name": "PCI DSS",
        "short": "PCI DSS",
        "tag": "pci-dss-v4.0",
        "version": "4.0",
        "specification": "https://www.pcisecuritystandards.org/document_library/",
    },
    "nist-800-53": {
        "name": "NIST SP 800-53",
        "short": "NIST",
        "tag": "nist-800-53-r5",
        "version": "Rev. 5",
        "specification": "https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final",
    },
    "nist-csf": {
        "name": "NIST Cybersecurity Framework",
        "short": "NIST CSF",
        "tag": "nist-csf-2.0",
        "version": "2.0",
        "specification": "https://doi.org/10.6028/NIST.CSWP.29",
    },
    "apra-cps-234": {
        "name": "APRA Prudential Standard CPS 234 Information Security",
        "short": "CPS 234",
        "tag": "apra-cps-234-2019",
        "version": "July 2019",
        "specification": (
            "https://www.apra.gov.au/sites/default/files/cps_234_july_2019_for_public_release.pdf"
        ),
    },
    "sec-exam-themes": {
        "name": "SEC Division of Examinations cybersecurity themes",
        "short": "SEC",
        "tag": "sec-exam-themes",
        "version": "1.0",
        "specification": "https://www.sec.gov/exams",
    },
}

CONTROLS: dict[str, dict[str, list[str]]] = {
    "cloudtrail-log-file-validation": {
        "cis-aws-foundations": ["3.2"],
        "pci-dss": ["10.3.2", "10.3.4"],
        "nist-800-53": ["AU-9", "SI-7"],
        "nist-csf": ["PR.PS-04", "PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "cloudtrail-multi-region": {
        "cis-aws-foundations": ["3.1"],
        "pci-dss": ["10.2.1"],
        "nist-800-53": ["AU-2", "AU-12"],
        "nist-csf": ["PR.PS-04", "DE.CM-03"],
        "apra-cps-234": ["23"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "cloudtrail-kms-encrypted": {
        "cis-aws-foundations": ["3.5"],
        "pci-dss": ["10.3.2"],
        "nist-800-53": ["AU-9", "SC-28"],
        "nist-csf": ["PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "cloudtrail-logging-enabled": {
        "cis-aws-foundations": ["3.1"],
        "pci-dss": ["10.2.1"],
        "nist-800-53": ["AU-2", "AU-12"],
        "nist-csf": ["PR.PS-04", "DE.CM-03"],
        "apra-cps-234": ["23"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "cloudwatch-log-group-kms-encrypted": {
        "cis-aws-foundations": [],
        "pci-dss": ["10.3.2"],
        "nist-800-53": ["AU-9", "SC-28"],
        "nist-csf": ["PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection", "monitoring-and-oversight"],
    },
    "kms-key-rotation": {
        "cis-aws-foundations": ["3.6"],
        "pci-dss": ["3.7.4"],
        "nist-800-53": ["SC-12"],
        "nist-csf": ["PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "kms-key-deletion-window": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": ["SC-12"],
        "nist-csf": ["PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "kms-key-policy-no-public-principal": {
        "cis-aws-foundations": [],
        "pci-dss": ["3.6.1", "7.2.1"],
        "nist-800-53": ["AC-3", "AC-6", "SC-12"],
        "nist-csf": ["PR.AA-05", "PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration", "data-protection"],
    },
    "s3-bucket-encryption-kms": {
        "cis-aws-foundations": [],
        "pci-dss": ["3.5.1"],
        "nist-800-53": ["SC-13", "SC-28", "SC-28(1)"],
        "nist-csf": ["PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "s3-bucket-public-access-block": {
        "cis-aws-foundations": ["2.1.4"],
        "pci-dss": ["1.4.4"],
        "nist-800-53": ["AC-3", "AC-21", "SC-7"],
        "nist-csf": ["PR.AA-05", "PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration", "data-protection"],
    },
    "s3-bucket-tls-only": {
        "cis-aws-foundations": ["2.1.1"],
        "pci-dss": ["4.2.1"],
        "nist-800-53": ["SC-8", "SC-8(1)", "SC-23"],
        "nist-csf": ["PR.DS-02"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "s3-bucket-no-public-acl": {
        "cis-aws-foundations": [],
        "pci-dss": ["1.4.4", "7.2.1"],
        "nist-800-53": ["AC-3", "AC-6", "AC-21"],
        "nist-csf": ["PR.AA-05"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration", "data-protection"],
    },
    "s3-bucket-versioning": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": ["CP-9", "CP-10", "SI-12"],
        "nist-csf": ["PR.DS-11"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "sns-topic-kms-encrypted": {
        "cis-aws-foundations": [],
        "pci-dss": ["3.5.1"],
        "nist-800-53": ["SC-13", "SC-28"],
        "nist-csf": ["PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "sns-topic-policy-no-public-principal": {
        "cis-aws-foundations": [],
        "pci-dss": ["7.2.1"],
        "nist-800-53": ["AC-3", "AC-6", "AC-21"],
        "nist-csf": ["PR.AA-05"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "sqs-queue-kms-encrypted": {
        "cis-aws-foundations": [],
        "pci-dss": ["3.5.1"],
        "nist-800-53": ["SC-13", "SC-28"],
        "nist-csf": ["PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "guardduty-enabled": {
        "cis-aws-foundations": [],
        "pci-dss": ["11.5.1"],
        "nist-800-53": ["SI-4", "CA-7"],
        "nist-csf": ["DE.CM-01", "DE.CM-09", "DE.AE-02"],
        "apra-cps-234": ["23"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "guardduty-s3-protection": {
        "cis-aws-foundations": [],
        "pci-dss": ["11.5.1"],
        "nist-800-53": ["SI-4"],
        "nist-csf": ["DE.CM-09"],
        "apra-cps-234": ["23"],
        "sec-exam-themes": ["monitoring-and-oversight", "data-protection"],
    },
    "securityhub-standards-enabled": {
        "cis-aws-foundations": ["4.16"],
        "pci-dss": ["10.4.1.1"],
        "nist-800-53": ["CA-7", "SI-4"],
        "nist-csf": ["ID.RA-01", "PR.PS-01", "DE.AE-03"],
        "apra-cps-234": ["15", "27"],
        "sec-exam-themes": ["misconfiguration", "monitoring-and-oversight"],
    },
    "macie-enabled": {
        "cis-aws-foundations": ["2.1.3"],
        "pci-dss": ["12.5.2"],
        "nist-800-53": ["RA-2"],
        "nist-csf": ["ID.AM-07", "DE.CM-09"],
        "apra-cps-234": ["20"],
        "sec-exam-themes": ["data-protection"],
    },
    "config-recorder-all-resources": {
        "cis-aws-foundations": ["3.3"],
        "pci-dss": ["11.5.2"],
        "nist-800-53": ["CM-3", "CM-8"],
        "nist-csf": ["ID.AM-02", "PR.PS-01"],
        "apra-cps-234": ["27"],
        "sec-exam-themes": ["misconfiguration", "monitoring-and-oversight"],
    },
    "ec2-security-group-no-public-admin-ports": {
        "cis-aws-foundations": ["5.2", "5.3"],
        "pci-dss": ["1.3.1"],
        "nist-800-53": ["AC-4", "SC-7", "CM-7"],
        "nist-csf": ["PR.IR-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "codebuild-no-plaintext-aws-credentials": {
        "cis-aws-foundations": [],
        "pci-dss": ["8.6.2"],
        "nist-800-53": ["IA-5(7)", "SC-28"],
        "nist-csf": ["PR.AA-01", "PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration", "data-protection"],
    },
    "iam-policy-valid": {
        "cis-aws-foundations": [],
        "pci-dss": ["7.2.1"],
        "nist-800-53": ["AC-3", "AC-6"],
        "nist-csf": ["PR.AA-05"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "iam-no-admin-star-star": {
        "cis-aws-foundations": ["1.16"],
        "pci-dss": ["7.2.1", "7.2.2"],
        "nist-800-53": ["AC-6", "AC-6(1)"],
        "nist-csf": ["PR.AA-05"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "tags-no-sensitive-data": {
        "cis-aws-foundations": [],
        "pci-dss": ["3.5.1", "8.3.2"],
        "nist-800-53": ["SC-28", "IA-5(7)"],
        "nist-csf": ["PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "provider-default-tags-no-sensitive-data": {
        "cis-aws-foundations": [],
        "pci-dss": ["3.5.1", "8.3.2"],
        "nist-800-53": ["SC-28", "IA-5(7)"],
        "nist-csf": ["PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "kms-key-policy-no-lockout": {
        "cis-aws-foundations": [],
        "pci-dss": ["3.6.1"],
        "nist-800-53": ["SC-12"],
        "nist-csf": ["PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "sns-encrypted-topic-admits-publishers": {
        "cis-aws-foundations": [],
        "pci-dss": ["10.7.2"],
        "nist-800-53": ["SI-4(5)"],
        "nist-csf": ["DE.AE-06"],
        "apra-cps-234": ["23"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "config-organization-pack-after-recorders": {
        "cis-aws-foundations": ["3.3"],
        "pci-dss": ["2.2.1"],
        "nist-800-53": ["CM-6", "CA-7"],
        "nist-csf": ["PR.PS-01", "DE.CM-09"],
        "apra-cps-234": ["27"],
        "sec-exam-themes": ["misconfiguration", "monitoring-and-oversight"],
    },
    "one-per-account-and-region": {
        "cis-aws-foundations": [],
        "pci-dss": ["2.2.1"],
        "nist-800-53": ["CM-6"],
        "nist-csf": ["PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "fms-shield-advanced-subscription": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": ["SC-5"],
        "nist-csf": ["PR.IR-03"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": [],
    },
    "fms-shield-advanced-subscription-outside-stack": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": [],
        "nist-csf": [],
        "apra-cps-234": [],
        "sec-exam-themes": [],
    },
    "policy-exemptions": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": [],
        "nist-csf": [],
        "apra-cps-234": [],
        "sec-exam-themes": [],
    },
    "cloudtrail-bucket-access-logging": {
        "cis-aws-foundations": ["3.4"],
        "pci-dss": ["10.2.1"],
        "nist-800-53": ["AU-9", "AU-12"],
        "nist-csf": ["PR.PS-04"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "cloudtrail-s3-data-events": {
        "cis-aws-foundations": ["3.8", "3.9"],
        "pci-dss": ["10.2.1"],
        "nist-800-53": ["AU-2", "AU-12"],
        "nist-csf": ["DE.CM-03"],
        "apra-cps-234": ["23"],
        "sec-exam-themes": ["monitoring-and-oversight", "data-protection"],
    },
    "organization-policy-size": {
        "cis-aws-foundations": [],
        "pci-dss": ["2.2.1"],
        "nist-800-53": ["CM-6"],
        "nist-csf": ["PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "organization-rcp-deny-only": {
        "cis-aws-foundations": [],
        "pci-dss": ["2.2.1"],
        "nist-800-53": ["CM-6"],
        "nist-csf": ["PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "organization-policy-attachments": {
        "cis-aws-foundations": [],
        "pci-dss": ["2.2.1"],
        "nist-800-53": ["CM-6"],
        "nist-csf": ["PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
}

CHECKS: dict[str, dict[str, list[str]]] = {
    "cloudtrail.trail-logging": {
        "cis-aws-foundations": ["3.1"],
        "pci-dss": ["10.2.1"],
        "nist-800-53": ["AU-2", "AU-12"],
        "nist-csf": ["PR.PS-04", "DE.CM-03"],
        "apra-cps-234": ["23"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "cloudtrail.multi-region": {
        "cis-aws-foundations": ["3.1"],
        "pci-dss": ["10.2.1"],
        "nist-800-53": ["AU-2", "AU-12"],
        "nist-csf": ["PR.PS-04", "DE.CM-03"],
        "apra-cps-234": ["23"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "cloudtrail.log-file-validation": {
        "cis-aws-foundations": ["3.2"],
        "pci-dss": ["10.3.2", "10.3.4"],
        "nist-800-53": ["AU-9", "SI-7"],
        "nist-csf": ["PR.PS-04", "PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "cloudtrail.kms-encryption": {
        "cis-aws-foundations": ["3.5"],
        "pci-dss": ["10.3.2"],
        "nist-800-53": ["AU-9", "SC-28"],
        "nist-csf": ["PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "cloudtrail.bucket-not-public": {
        "cis-aws-foundations": ["2.1.4"],
        "pci-dss": ["10.3.1", "10.3.2"],
        "nist-800-53": ["AU-9", "AC-3"],
        "nist-csf": ["PR.AA-05", "PR.PS-04"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration", "monitoring-and-oversight"],
    },
    "s3.account-public-access-block": {
        "cis-aws-foundations": ["2.1.4"],
        "pci-dss": ["1.4.4"],
        "nist-800-53": ["AC-3", "AC-21", "SC-7"],
        "nist-csf": ["PR.AA-05", "PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration", "data-protection"],
    },
    "s3.bucket-encryption": {
        "cis-aws-foundations": [],
        "pci-dss": ["3.5.1"],
        "nist-800-53": ["SC-13", "SC-28", "SC-28(1)"],
        "nist-csf": ["PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "s3.bucket-versioning": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": ["CP-9", "CP-10", "SI-12"],
        "nist-csf": ["PR.DS-11"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "s3.bucket-tls-only": {
        "cis-aws-foundations": ["2.1.1"],
        "pci-dss": ["4.2.1"],
        "nist-800-53": ["SC-8", "SC-8(1)", "SC-23"],
        "nist-csf": ["PR.DS-02"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "guardduty.detector-enabled": {
        "cis-aws-foundations": [],
        "pci-dss": ["11.5.1"],
        "nist-800-53": ["SI-4", "CA-7"],
        "nist-csf": ["DE.CM-01", "DE.CM-09", "DE.AE-02"],
        "apra-cps-234": ["23"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "guardduty.s3-protection": {
        "cis-aws-foundations": [],
        "pci-dss": ["11.5.1"],
        "nist-800-53": ["SI-4"],
        "nist-csf": ["DE.CM-09"],
        "apra-cps-234": ["23"],
        "sec-exam-themes": ["monitoring-and-oversight", "data-protection"],
    },
    "guardduty.finding-publishing-frequency": {
        "cis-aws-foundations": [],
        "pci-dss": ["11.5.1"],
        "nist-800-53": ["SI-4(5)"],
        "nist-csf": ["DE.AE-06"],
        "apra-cps-234": ["23"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "securityhub.hub-enabled": {
        "cis-aws-foundations": ["4.16"],
        "pci-dss": ["10.4.1.1"],
        "nist-800-53": ["CA-7", "SI-4"],
        "nist-csf": ["ID.RA-01", "DE.AE-03"],
        "apra-cps-234": ["15", "27"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "securityhub.standards": {
        "cis-aws-foundations": ["4.16"],
        "pci-dss": ["10.4.1.1"],
        "nist-800-53": ["CA-7", "SI-4"],
        "nist-csf": ["ID.RA-01", "PR.PS-01"],
        "apra-cps-234": ["27"],
        "sec-exam-themes": ["misconfiguration", "monitoring-and-oversight"],
    },
    "macie.enabled": {
        "cis-aws-foundations": ["2.1.3"],
        "pci-dss": ["12.5.2"],
        "nist-800-53": ["RA-2"],
        "nist-csf": ["ID.AM-07", "DE.CM-09"],
        "apra-cps-234": ["20"],
        "sec-exam-themes": ["data-protection"],
    },
    "config.recorder-all-supported": {
        "cis-aws-foundations": ["3.3"],
        "pci-dss": ["11.5.2"],
        "nist-800-53": ["CM-3", "CM-8"],
        "nist-csf": ["ID.AM-02", "PR.PS-01"],
        "apra-cps-234": ["27"],
        "sec-exam-themes": ["misconfiguration", "monitoring-and-oversight"],
    },
    "config.recorder-recording": {
        "cis-aws-foundations": ["3.3"],
        "pci-dss": ["11.5.2"],
        "nist-800-53": ["CM-3", "CM-8"],
        "nist-csf": ["ID.AM-02", "PR.PS-01"],
        "apra-cps-234": ["27"],
        "sec-exam-themes": ["misconfiguration", "monitoring-and-oversight"],
    },
    "config.delivery-channel": {
        "cis-aws-foundations": ["3.3"],
        "pci-dss": ["11.5.2"],
        "nist-800-53": ["CM-3"],
        "nist-csf": ["PR.PS-04"],
        "apra-cps-234": ["27"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "config.conformance-packs": {
        "cis-aws-foundations": [],
        "pci-dss": ["2.2.1"],
        "nist-800-53": ["CM-6", "CA-7"],
        "nist-csf": ["PR.PS-01", "DE.CM-09"],
        "apra-cps-234": ["27"],
        "sec-exam-themes": ["misconfiguration", "monitoring-and-oversight"],
    },
    "kms.key-rotation": {
        "cis-aws-foundations": ["3.6"],
        "pci-dss": ["3.7.4"],
        "nist-800-53": ["SC-12"],
        "nist-csf": ["PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "kms.key-policy-not-public": {
        "cis-aws-foundations": [],
        "pci-dss": ["3.6.1", "7.2.1"],
        "nist-800-53": ["AC-3", "AC-6", "SC-12"],
        "nist-csf": ["PR.AA-05", "PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration", "data-protection"],
    },
    "sns.topic-encryption": {
        "cis-aws-foundations": [],
        "pci-dss": ["3.5.1"],
        "nist-800-53": ["SC-13", "SC-28"],
        "nist-csf": ["PR.DS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "shield.subscription-active": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": ["SC-5"],
        "nist-csf": ["PR.IR-03"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": [],
    },
    "shield.protected-resources": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": ["SC-5"],
        "nist-csf": ["PR.IR-03"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": [],
    },
    "fms.policies-present": {
        "cis-aws-foundations": [],
        "pci-dss": ["1.2.1", "6.4.2"],
        "nist-800-53": ["SC-7", "CM-6"],
        "nist-csf": ["PR.IR-01", "PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "fms.policies-compliant": {
        "cis-aws-foundations": [],
        "pci-dss": ["1.2.1", "6.4.2"],
        "nist-800-53": ["SC-7", "CM-6", "CA-7"],
        "nist-csf": ["PR.IR-01", "PR.PS-01"],
        "apra-cps-234": ["21", "27"],
        "sec-exam-themes": ["misconfiguration", "monitoring-and-oversight"],
    },
    "ec2.default-security-groups-closed": {
        "cis-aws-foundations": ["5.4"],
        "pci-dss": ["1.2.1"],
        "nist-800-53": ["SC-7", "CM-7"],
        "nist-csf": ["PR.IR-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "organization-policies.policy-type-enabled": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": ["AC-6", "CM-5"],
        "nist-csf": ["PR.AA-05", "PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "organization-policies.policy-present": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": ["AC-6", "CM-5"],
        "nist-csf": ["PR.AA-05", "PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "organization-policies.policy-attached": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": ["AC-6", "CM-5"],
        "nist-csf": ["PR.AA-05", "PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
}

RESOURCE_TYPES: dict[str, list[str]] = {
    "cloudtrail-log-file-validation": ["aws:cloudtrail/trail:Trail"],
    "cloudtrail-multi-region": ["aws:cloudtrail/trail:Trail"],
    "cloudtrail-kms-encrypted": ["aws:cloudtrail/trail:Trail"],
    "cloudtrail-logging-enabled": ["aws:cloudtrail/trail:Trail"],
    "kms-key-rotation": ["aws:kms/key:Key"],
    "kms-key-deletion-window": ["aws:kms/key:Key"],
    "kms-key-policy-no-public-principal": ["aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy"],
    "s3-bucket-encryption-kms": ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    "s3-bucket-public-access-block": ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    "s3-bucket-tls-only": ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    "s3-bucket-no-public-acl": ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    "s3-bucket-versioning": ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    "sns-topic-kms-encrypted": ["aws:sns/topic:Topic"],
    "sns-topic-policy-no-public-principal": [
        "aws:sns/topic:Topic",
        "aws:sns/topicPolicy:TopicPolicy",
    ],
    "guardduty-enabled": [
        "aws:guardduty/detector:Detector",
        "aws:guardduty/organizationConfiguration:OrganizationConfiguration",
    ],
    "guardduty-s3-protection": ["aws:guardduty/detector:Detector"],
    "securityhub-standards-enabled": ["aws:securityhub/account:Account"],
    "macie-enabled": ["aws:macie2/account:Account"],
    "config-recorder-all-resources": ["aws:cfg/recorder:Recorder"],
    "ec2-security-group-no-public-admin-ports": [
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    ],
    "codebuild-no-plaintext-aws-credentials": ["aws:codebuild/project:Project"],
    "iam-policy-valid": [
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/policy:Policy",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/groupPolicy:GroupPolicy",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketV2:BucketV2",
        "aws:kms/key:Key",
        "aws:kms/keyPolicy:KeyPolicy",
        "aws:sns/topic:Topic",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sqs/queue:Queue",
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        "aws:ecr/repositoryPolicy:RepositoryPolicy",
        "aws:organizations/policy:Policy",
    ],
    "kms-key-policy-no-lockout": ["aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy"],
    "sns-encrypted-topic-admits-publishers": [
        "aws:sns/topic:Topic",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:kms/key:Key",
        "aws:kms/keyPolicy:KeyPolicy",
        "aws:kms/alias:Alias",
        "aws:cloudwatch/eventTarget:EventTarget",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:s3/bucketNotification:BucketNotification",
        "aws:cloudformation/stack:Stack",
    ],
    "config-organization-pack-after-recorders": [
        "aws:cfg/organizationConformancePack:OrganizationConformancePack",
        "aws:cfg/recorder:Recorder",
        "aws:cfg/recorderStatus:RecorderStatus",
        "aws:cloudformation/stackSet:StackSet",
        "aws:cloudformation/stackSetInstance:StackSetInstance",
    ],
    "one-per-account-and-region": [
        "aws:cfg/recorder:Recorder",
        "aws:cfg/deliveryChannel:DeliveryChannel",
        "aws:guardduty/detector:Detector",
        "aws:securityhub/account:Account",
        "aws:macie2/account:Account",
    ],
    "fms-shield-advanced-subscription": [
        "aws:fms/policy:Policy",
        "aws:shield/subscription:Subscription",
    ],
    "fms-shield-advanced-subscription-outside-stack": [
        "aws:fms/policy:Policy",
        "aws:shield/subscription:Subscription",
    ],
    "tags-no-sensitive-data": ["*"],
    "provider-default-tags-no-sensitive-data": ["pulumi:providers:aws"],
    "iam-no-admin-star-star": [
        "aws:iam/policy:Policy",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/groupPolicy:GroupPolicy",
        "aws:iam/role:Role",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
        "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
        "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
        "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
    ],
    "sqs-queue-kms-encrypted": ["aws:sqs/queue:Queue"],
    "cloudwatch-log-group-kms-encrypted": ["aws:cloudwatch/logGroup:LogGroup"],
    "policy-exemptions": ["*"],
    "cloudtrail-bucket-access-logging": [
        "aws:cloudtrail/trail:Trail",
        "aws:s3/bucketLogging:BucketLogging",
    ],
    "cloudtrail-s3-data-events": ["aws:cloudtrail/trail:Trail"],
    "organization-policy-size": ["aws:organizations/policy:Policy"],
    "organization-rcp-deny-only": ["aws:organizations/policy:Policy"],
    "organization-policy-attachments": [
        "aws:organizations/policy:Policy",
        "aws:organizations/policyAttachment:PolicyAttachment",
    ],
}

GUARDRAILS: dict[str, dict[str, list[str]]] = {
    "ProtectCloudtrail": {
        "cis-aws-foundations": ["3.1"],
        "pci-dss": ["10.3.2"],
        "nist-800-53": ["AU-9", "CM-5", "AC-6"],
        "nist-csf": ["PR.PS-04"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "ProtectConfig": {
        "cis-aws-foundations": ["3.3"],
        "pci-dss": ["11.5.2"],
        "nist-800-53": ["CM-3", "CM-5", "AC-6"],
        "nist-csf": ["PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "ProtectGuardduty": {
        "cis-aws-foundations": [],
        "pci-dss": ["11.5.1"],
        "nist-800-53": ["SI-4", "CM-5", "AC-6"],
        "nist-csf": ["DE.CM-01"],
        "apra-cps-234": ["23"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "ProtectSecurityhub": {
        "cis-aws-foundations": ["4.16"],
        "pci-dss": ["10.4.1.1"],
        "nist-800-53": ["CA-7", "CM-5", "AC-6"],
        "nist-csf": ["ID.RA-01"],
        "apra-cps-234": ["27"],
        "sec-exam-themes": ["monitoring-and-oversight"],
    },
    "ProtectMacie": {
        "cis-aws-foundations": ["2.1.3"],
        "pci-dss": ["12.5.2"],
        "nist-800-53": ["RA-2", "CM-5", "AC-6"],
        "nist-csf": ["ID.AM-07"],
        "apra-cps-234": ["20"],
        "sec-exam-themes": ["data-protection"],
    },
    "ProtectAccessAnalyzer": {
        "cis-aws-foundations": ["1.20"],
        "pci-dss": [],
        "nist-800-53": ["AC-6", "CM-5"],
        "nist-csf": ["PR.AA-05"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "ProtectAccountGuardrails": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": ["CM-5", "AC-6"],
        "nist-csf": ["PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "ProtectAccountSettings": {
        "cis-aws-foundations": ["2.1.4", "2.2.1"],
        "pci-dss": ["1.4.4"],
        "nist-800-53": ["AC-3", "SC-28", "CM-5"],
        "nist-csf": ["PR.DS-01", "PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration", "data-protection"],
    },
    "DenyLeaveOrganization": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": ["CM-5"],
        "nist-csf": ["PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "DenyRootUser": {
        "cis-aws-foundations": ["1.7"],
        "pci-dss": ["8.2.2"],
        "nist-800-53": ["AC-6", "AC-6(2)"],
        "nist-csf": ["PR.AA-05"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "DenyAdministratorAttachment": {
        "cis-aws-foundations": ["1.16"],
        "pci-dss": ["7.2.1", "7.2.2"],
        "nist-800-53": ["AC-6", "AC-6(5)"],
        "nist-csf": ["PR.AA-05"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "RegionAllowList": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": ["CM-7", "AC-6"],
        "nist-csf": ["PR.PS-01"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["misconfiguration"],
    },
    "EnforceOrganizationIdentities": {
        "cis-aws-foundations": [],
        "pci-dss": ["7.2.1"],
        "nist-800-53": ["AC-3", "AC-21", "SC-7"],
        "nist-csf": ["PR.AA-05"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
    "EnforceSecureTransport": {
        "cis-aws-foundations": ["2.1.1"],
        "pci-dss": ["4.2.1"],
        "nist-800-53": ["SC-8", "SC-8(1)"],
        "nist-csf": ["PR.DS-02"],
        "apra-cps-234": ["21"],
        "sec-exam-themes": ["data-protection"],
    },
}

CATALOG: dict[str, dict[str, str]] = {
    "cis-aws-foundations": {
        "1.1": "Maintain current contact details",
        "1.2": "Ensure security contact information is registered",
        "1.3": "Ensure security questions are registered in the AWS account",
        "1.4": "Ensure no 'root' user account access key exists",
        "1.5": "Ensure MFA is enabled for the 'root' user account",
        "1.6": "Ensure hardware MFA is enabled for the 'root' user account",
        "1.7": "Eliminate use of the 'root' user for administrative and daily tasks",
        "1.8": "Ensure IAM password policy requires minimum length of 14 or greater",
        "1.9": "Ensure IAM password policy prevents password reuse",
        "1.10": (
            "Ensure multi-factor authentication (MFA) is enabled for all IAM users that have "
            "a console password"
        ),
        "1.11": (
            "Do not setup access keys during initial user setup for all IAM users that have a "
            "console password"
        ),
        "1.12": "Ensure credentials unused for 45 days or greater are disabled",
        "1.13": "Ensure there is only one active access key available for any single IAM user",
        "1.14": "Ensure access keys are rotated every 90 days or less",
        "1.15": "Ensure IAM Users Receive Permissions Only Through Groups",
        "1.16": (
            'Ensure IAM policies that allow full "*:*" administrative privileges are not attached'
        ),
        "1.17": "Ensure a support role has been created to manage incidents with AWS Support",
        "1.18": "Ensure IAM instance roles are used for AWS resource access from instances",
        "1.19": "Ensure that all the expired SSL/TLS certificates stored in AWS IAM are removed",
        "1.20": "Ensure that IAM Access analyzer is enabled for all regions",
        "1.21": (
            "Ensure IAM users are managed centrally via identity federation or AWS "
            "Organizations for multi-account environments"
        ),
        "1.22": "Ensure access to AWSCloudShellFullAccess is restricted",
        "2.1.1": "Ensure S3 Bucket Policy is set to deny HTTP requests",
        "2.1.2": "Ensure MFA Delete is enabled on S3 buckets",
        "2.1.3": (
            "Ensure all data in Amazon S3 has been discovered, classified and secured when required"
        ),
        "2.1.4": (
            "Ensure that S3 Buckets are configured with 'Block public access (bucket settings)'"
        ),
        "2.2.1": "Ensure EBS Volume Encryption is Enabled in all Regions",
        "2.3.1": "Ensure that encryption is enabled for RDS Instances",
        "2.3.2": "Ensure Auto Minor Version Upgrade feature is Enabled for RDS Instances",
        "2.3.3": "Ensure that public access is not given to RDS Instance",
        "2.4.1": "Ensure that encryption is enabled for EFS file systems",
        "3.1": "Ensure CloudTrail is enabled in all regions",
        "3.2": "Ensure CloudTrail log file validation is enabled",
        "3.3": "Ensure AWS Config is enabled in all regions",
        "3.4": "Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket",
        "3.5": "Ensure CloudTrail logs are encrypted at rest using KMS CMKs",
        "3.6": "Ensure rotation for customer created symmetric CMKs is enabled",
        "3.7": "Ensure VPC flow logging is enabled in all VPCs",
        "3.8": "Ensure that Object-level logging for write events is enabled for S3 bucket",
        "3.9": "Ensure that Object-level logging for read events is enabled for S3 bucket",
        "4.1": "Ensure a log metric filter and alarm exist for unauthorized API calls",
        "4.2": (
            "Ensure a log metric filter and alarm exist for Management Console sign-in without MFA"
        ),
        "4.3": "Ensure a log metric filter and alarm exist for usage of 'root' account",
        "4.4": "Ensure a log metric filter and alarm exist for IAM policy changes",
        "4.5": "Ensure a log metric filter and alarm exist for CloudTrail configuration changes",
        "4.6": (
            "Ensure a log metric filter and alarm exist for AWS Management Console "
            "authentication failures"
        ),
        "4.7": (
            "Ensure a log metric filter and alarm exist for disabling or scheduled deletion "
            "of customer created CMKs"
        ),
        "4.8": "Ensure a log metric filter and alarm exist for S3 bucket policy changes",
        "4.9": "Ensure a log metric filter and alarm exist for AWS Config configuration changes",
        "4.10": "Ensure a log metric filter and alarm exist for security group changes",
        "4.11": (
            "Ensure a log metric filter and alarm exist for changes to Network Access Control "
            "Lists (NACL)"
        ),
        "4.12": "Ensure a log metric filter and alarm exist for changes to network gateways",
        "4.13": "Ensure route table changes are monitored",
        "4.14": "Ensure a log metric filter and alarm exist for VPC changes",
        "4.15": "Ensure a log metric filter and alarm exists for AWS Organizations changes",
        "4.16": "Ensure AWS Security Hub is enabled",
        "5.1": (
            "Ensure no Network ACLs allow ingress from 0.0.0.0/0 to remote server "
            "administration ports"
        ),
        "5.2": (
            "Ensure no security groups allow ingress from 0.0.0.0/0 to remote server "
            "administration ports"
        ),
        "5.3": (
            "Ensure no security groups allow ingress from ::/0 to remote server "
            "administration ports"
        ),
        "5.4": "Ensure the default security group of every VPC restricts all traffic",
        "5.5": 'Ensure routing tables for VPC peering are "least access"',
        "5.6": "Ensure that EC2 Metadata Service only allows IMDSv2",
    },
}

TITLES: dict[str, dict[str, str]] = {
    "pci-dss": {
        "1.2.1": "Configuration standards for NSC rulesets are defined, implemented, and "
        "maintained",
        "1.3.1": "Inbound traffic to the CDE is restricted to only traffic that is necessary",
        "1.4.4": "System components that store cardholder data are not directly accessible from "
        "untrusted networks",
        "2.2.1": "Configuration standards are developed, implemented, and maintained to cover all "
        "system components",
        "3.5.1": "PAN is rendered unreadable anywhere it is stored",
        "3.6.1": "Procedures are defined and implemented to protect cryptographic keys used to "
        "protect stored account data against disclosure and misuse",
        "3.7.4": "Key management policies and procedures are implemented for cryptographic key "
        "changes at the end of their cryptoperiod",
        "4.2.1": "Strong cryptography and security protocols safeguard PAN during transmission "
        "over open, public networks",
        "6.4.2": "For public-facing web applications, an automated technical solution is deployed "
        "that continually detects and prevents web-based attacks",
        "7.2.1": "An access control model is defined",
        "7.2.2": "Access is assigned to users, including privileged users, based on job "
        "classification and function and the least privileges necessary",
        "8.2.2": "Group, shared, or generic accounts, or other shared authentication "
        "credentials are only used when necessary on an exception basis",
        "8.3.2": "Strong cryptography is used to render all authentication factors unreadable "
        "during transmission and storage",
        "8.6.2": "Passwords/passphrases for application and system accounts are not hard coded in "
        "scripts, configuration files, or source code",
        "10.2.1": "Audit logs are enabled and active for all system components and cardholder data",
        "10.3.1": "Read access to audit logs files is limited to those with a job-related need",
        "10.3.2": "Audit log files are protected to prevent modifications by individuals",
        "10.3.4": "File integrity monitoring or change-detection mechanisms are used on audit logs",
        "10.4.1.1": "Automated mechanisms are used to perform audit log reviews",
        "10.7.2": "Failures of critical security control systems are detected, alerted, and "
        "addressed promptly",
        "11.5.1": "Intrusion-detection and/or intrusion-prevention techniques are used to detect "
        "and/or prevent intrusions into the network",
        "11.5.2": "A change-detection mechanism is deployed",
        "12.5.2": "PCI DSS scope is documented and confirmed at least once every 12 months and "
        "upon significant change",
    },
    "nist-800-53": {
        "AC-3": "Access Enforcement",
        "AC-4": "Information Flow Enforcement",
        "AC-6": "Least Privilege",
        "AC-6(1)": "Least Privilege | Authorize Access to Security Functions",
        "AC-6(2)": "Least Privilege | Non-privileged Access for Nonsecurity Functions",
        "AC-6(5)": "Least Privilege | Privileged Accounts",
        "AC-21": "Information Sharing",
        "AU-2": "Event Logging",
        "AU-9": "Protection of Audit Information",
        "AU-12": "Audit Record Generation",
        "CA-7": "Continuous Monitoring",
        "CM-3": "Configuration Change Control",
        "CM-5": "Access Restrictions for Change",
        "CM-6": "Configuration Settings",
        "CM-7": "Least Functionality",
        "CM-8": "System Component Inventory",
        "CP-9": "System Backup",
        "CP-10": "System Recovery and Reconstitution",
        "IA-5(7)": "Authenticator Management | No Embedded Unencrypted Static Authenticators",
        "RA-2": "Security Categorization",
        "SC-5": "Denial-of-service Protection",
        "SC-7": "Boundary Protection",
        "SC-8": "Transmission Confidentiality and Integrity",
        "SC-8(1)": "Transmission Confidentiality and Integrity | Cryptographic Protection",
        "SC-12": "Cryptographic Key Establishment and Management",
        "SC-13": "Cryptographic Protection",
        "SC-23": "Session Authenticity",
        "SC-28": "Protection of Information at Rest",
        "SC-28(1)": "Protection of Information at Rest | Cryptographic Protection",
        "SI-4": "System Monitoring",
        "SI-4(5)": "System Monitoring | System-generated Alerts",
        "SI-7": "Software, Firmware, and Information Integrity",
        "SI-12": "Information Management and Retention",
    },
    "nist-csf": {
        "DE.AE-02": "Potentially adverse events are analyzed to better understand associated "
        "activities",
        "DE.AE-03": "Information is correlated from multiple sources",
        "DE.AE-06": "Information on adverse events is provided to authorized staff and tools",
        "DE.CM-01": "Networks and network services are monitored to find potentially adverse "
        "events",
        "DE.CM-03": "Personnel activity and technology usage are monitored to find potentially "
        "adverse events",
        "DE.CM-09": "Computing hardware and software, runtime environments, and their data are "
        "monitored to find potentially adverse events",
        "ID.AM-02": "Inventories of software, services, and systems managed by the organization "
        "are maintained",
        "ID.AM-07": "Inventories of data and corresponding metadata for designated data types are "
        "maintained",
        "ID.RA-01": "Vulnerabilities in assets are identified, validated, and recorded",
        "PR.AA-01": "Identities and credentials for authorized users, services, and hardware are "
        "managed by the organization",
        "PR.AA-05": "Access permissions, entitlements, and authorizations are defined in a policy, "
        "managed, enforced, and reviewed",
        "PR.DS-01": "The confidentiality, integrity, and availability of data-at-rest are "
        "protected",
        "PR.DS-02": "The confidentiality, integrity, and availability of data-in-transit are "
        "protected",
        "PR.DS-11": "Backups of data are created, protected, maintained, and tested",
        "PR.IR-01": "Networks and environments are protected from unauthorized logical access "
        "and usage",
        "PR.IR-03": "Mechanisms are implemented to achieve resilience requirements in normal and "
        "adverse situations",
        "PR.PS-01": "Configuration management practices are established and applied",
        "PR.PS-04": "Log records are generated and made available for continuous monitoring",
    },
    "apra-cps-234": {
        "15": "Information security capability",
        "20": "Information asset identification and classification",
        "21": "Implementation of controls",
        "23": "Incident management",
        "27": "Testing control effectiveness",
    },
    "sec-exam-themes": {
        "misconfiguration": "Misconfiguration: storage and access left open by settings",
        "monitoring-and-oversight": "Monitoring and oversight: logging, detection, review",
        "data-protection": "Data protection: encryption, classification, customer records",
    },
}
