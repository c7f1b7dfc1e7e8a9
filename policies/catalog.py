"""Every policy of the security-baseline pack."""

from __future__ import annotations

import awsconfig
import cloudtrail
import codebuild
import ec2
import guardduty
import iam
import kms
import macie
import s3
import securityhub
import sns
import tags
from pulumi_policy import Policy

ALL_POLICIES: list[Policy] = [
    *cloudtrail.POLICIES,
    *kms.POLICIES,
    *s3.POLICIES,
    *sns.POLICIES,
    *guardduty.POLICIES,
    *securityhub.POLICIES,
    *macie.POLICIES,
    *awsconfig.POLICIES,
    *ec2.POLICIES,
    *codebuild.POLICIES,
    *iam.POLICIES,
    *tags.POLICIES,
]
