"""Every policy of the security-baseline pack."""

from __future__ import annotations

import awsconfig
import cloudtrail
import cloudtrail_bucket
import cloudtrail_data_events
import cloudwatch_logs
import codebuild
import config_packs
import ec2
import exemptions
import firewall_manager
import guardduty
import iam
import iam_admin
import kms
import kms_lockout
import macie
import organization_policies
import s3
import securityhub
import singletons
import sns
import sns_publishers
import sqs
import tags
from pulumi_policy import Policy

# `policy-exemptions` first: it shares the configured exemptions with the policies after it
# (exemptions.py), and the SDK runs a pack's policies in this order.
ALL_POLICIES: list[Policy] = [
    *exemptions.POLICIES,
    *cloudtrail.POLICIES,
    *cloudwatch_logs.POLICIES,
    *cloudtrail_bucket.POLICIES,
    *cloudtrail_data_events.POLICIES,
    *kms.POLICIES,
    *s3.POLICIES,
    *sns.POLICIES,
    *sqs.POLICIES,
    *guardduty.POLICIES,
    *securityhub.POLICIES,
    *macie.POLICIES,
    *awsconfig.POLICIES,
    *ec2.POLICIES,
    *codebuild.POLICIES,
    *iam.POLICIES,
    *iam_admin.POLICIES,
    *tags.POLICIES,
    # AWS's deploy-time preconditions, which the mocks of an offline preview do not check.
    *kms_lockout.POLICIES,
    *sns_publishers.POLICIES,
    *config_packs.POLICIES,
    *organization_policies.POLICIES,
    *singletons.POLICIES,
    *firewall_manager.POLICIES,
]
