"""Which compliance controls each policy of the pack helps satisfy.

Plain literals only (no imports, no code): `baseline report` loads this file on its own, for
example with `ast.literal_eval` on each assignment or `runpy.run_path`, without the pack.
Control ids are the frameworks' own: CIS AWS Foundations Benchmark v3.0.0 recommendation
numbers, PCI DSS v4.0 requirement numbers, NIST SP 800-53 Rev. 5 control identifiers.
An empty list means the framework has no control this policy maps to directly.
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
}

CONTROLS: dict[str, dict[str, list[str]]] = {
    "cloudtrail-log-file-validation": {
        "cis-aws-foundations": ["3.2"],
        "pci-dss": ["10.3.2", "10.3.4"],
        "nist-800-53": ["AU-9", "SI-7"],
    },
    "cloudtrail-multi-region": {
        "cis-aws-foundations": ["3.1"],
        "pci-dss": ["10.2.1"],
        "nist-800-53": ["AU-2", "AU-12"],
    },
    "cloudtrail-kms-encrypted": {
        "cis-aws-foundations": ["3.5"],
        "pci-dss": ["10.3.2"],
        "nist-800-53": ["AU-9", "SC-28"],
    },
    "cloudtrail-logging-enabled": {
        "cis-aws-foundations": ["3.1"],
        "pci-dss": ["10.2.1"],
        "nist-800-53": ["AU-2", "AU-12"],
    },
    "kms-key-rotation": {
        "cis-aws-foundations": ["3.6"],
        "pci-dss": ["3.7.4"],
        "nist-800-53": ["SC-12"],
    },
    "kms-key-deletion-window": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": ["SC-12"],
    },
    "kms-key-policy-no-public-principal": {
        "cis-aws-foundations": [],
        "pci-dss": ["3.6.1", "7.2.1"],
        "nist-800-53": ["AC-3", "AC-6", "SC-12"],
    },
    "s3-bucket-encryption-kms": {
        "cis-aws-foundations": [],
        "pci-dss": ["3.5.1"],
        "nist-800-53": ["SC-13", "SC-28", "SC-28(1)"],
    },
    "s3-bucket-public-access-block": {
        "cis-aws-foundations": ["2.1.4"],
        "pci-dss": ["1.4.4"],
        "nist-800-53": ["AC-3", "AC-21", "SC-7"],
    },
    "s3-bucket-tls-only": {
        "cis-aws-foundations": ["2.1.1"],
        "pci-dss": ["4.2.1"],
        "nist-800-53": ["SC-8", "SC-8(1)", "SC-23"],
    },
    "s3-bucket-no-public-acl": {
        "cis-aws-foundations": [],
        "pci-dss": ["1.4.4", "7.2.1"],
        "nist-800-53": ["AC-3", "AC-6", "AC-21"],
    },
    "s3-bucket-versioning": {
        "cis-aws-foundations": [],
        "pci-dss": [],
        "nist-800-53": ["CP-9", "CP-10", "SI-12"],
    },
    "sns-topic-kms-encrypted": {
        "cis-aws-foundations": [],
        "pci-dss": ["3.5.1"],
        "nist-800-53": ["SC-13", "SC-28"],
    },
    "sns-topic-policy-no-public-principal": {
        "cis-aws-foundations": [],
        "pci-dss": ["7.2.1"],
        "nist-800-53": ["AC-3", "AC-6", "AC-21"],
    },
    "guardduty-enabled": {
        "cis-aws-foundations": [],
        "pci-dss": ["11.5.1"],
        "nist-800-53": ["SI-4", "CA-7"],
    },
    "guardduty-s3-protection": {
        "cis-aws-foundations": [],
        "pci-dss": ["11.5.1"],
        "nist-800-53": ["SI-4"],
    },
    "securityhub-standards-enabled": {
        "cis-aws-foundations": ["4.16"],
        "pci-dss": ["10.4.1.1"],
        "nist-800-53": ["CA-7", "SI-4"],
    },
    "macie-enabled": {
        "cis-aws-foundations": ["2.1.3"],
        "pci-dss": ["12.5.2"],
        "nist-800-53": ["RA-2"],
    },
    "config-recorder-all-resources": {
        "cis-aws-foundations": ["3.3"],
        "pci-dss": ["11.5.2"],
        "nist-800-53": ["CM-3", "CM-8"],
    },
    "ec2-security-group-no-public-admin-ports": {
        "cis-aws-foundations": ["5.2", "5.3"],
        "pci-dss": ["1.3.1"],
        "nist-800-53": ["AC-4", "SC-7", "CM-7"],
    },
    "codebuild-no-plaintext-aws-credentials": {
        "cis-aws-foundations": [],
        "pci-dss": ["8.6.2"],
        "nist-800-53": ["IA-5(7)", "SC-28"],
    },
    "iam-policy-valid": {
        "cis-aws-foundations": [],
        "pci-dss": ["7.2.1"],
        "nist-800-53": ["AC-3", "AC-6"],
    },
    "tags-no-sensitive-data": {
        "cis-aws-foundations": [],
        "pci-dss": ["3.5.1", "8.3.2"],
        "nist-800-53": ["SC-28", "IA-5(7)"],
    },
}
