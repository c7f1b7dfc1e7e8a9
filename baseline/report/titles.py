"""What each control of the report's frameworks is called, so that a report names it.

Titles as each framework words them (CIS AWS Foundations v3.0.0's come with its whole
catalogue, `CATALOG` in policies/frameworks.py): NIST SP 800-53 Rev. 5 control names (an
enhancement after its base control's, with ` | `), NIST CSF 2.0 subcategory statements, APRA
CPS 234 section headings, the SEC themes of `policies/frameworks.py`. PCI DSS v4.0
requirements are long sentences: their first clause. A control with no title here is shown by
its id alone.
"""

from __future__ import annotations

CONTROL_TITLES: dict[str, dict[str, str]] = {
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


def control_title(framework: str, control: str) -> str:
    """The control's title, or "" when this table does not know it."""
    return CONTROL_TITLES.get(framework, {}).get(control, "")
