"""The audit trail's two buckets (infra/constructs/audit.py): the records, versioned under S3 Object
Lock, archived then expired; and Athena's query results, scratch kept a week outside the lock."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Validations
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constants import AUDIT_ARCHIVE_AFTER, AUDIT_QUERY_RESULTS_EXPIRY, AUDIT_RETENTION, Context

RECORDS_PREFIX = "audit/"
ERRORS_PREFIX = "errors/"  # Firehose's delivery errors, beside the records
RESULTS_PREFIX = "query-results/"


def records_bucket(scope: Construct, *, retain: bool, lock_days: int) -> s3.Bucket:
    """The records: versioned, under Object Lock for ``lock_days`` (0: no default retention)."""
    # Versioned with Object Lock in GOVERNANCE mode: no version can be overwritten or deleted before
    # its retention ends, except by a principal explicitly granted s3:BypassGovernanceRetention (an
    # erasure the law orders, e.g. GDPR art. 17, stays possible and is itself logged by CloudTrail);
    # COMPLIANCE mode would forbid even that, for years, with no way back. A retained stack's bucket
    # has Object Lock enabled whatever audit_lock_days is (0: no default retention), so changing
    # the days never replaces the bucket that holds years of records (enabling the lock does).
    bucket = _private_bucket(
        scope,
        "Records",
        versioned=True,
        object_lock_enabled=retain or lock_days > 0,
        object_lock_default_retention=(
            s3.ObjectLockRetention.governance(Duration.days(lock_days)) if lock_days else None
        ),
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        auto_delete_objects=not retain,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="archive-then-expire",
                prefix=RECORDS_PREFIX,
                expiration=AUDIT_RETENTION,
                transitions=[
                    s3.Transition(
                        storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                        transition_after=AUDIT_ARCHIVE_AFTER,
                    )
                ],
            ),
            s3.LifecycleRule(id="delivery-errors", prefix=ERRORS_PREFIX, expiration=AUDIT_RETENTION),
            # Firehose never overwrites: a noncurrent version only comes from an expiry's delete marker.
            s3.LifecycleRule(id="noncurrent", noncurrent_version_expiration=Duration.days(1),
                             expired_object_delete_marker=True),
        ],
    )
    locked = (
        f"every version is kept under Object Lock (governance, {lock_days} days), so no record can be "
        "changed or removed unseen"
        if lock_days
        else f"versioning keeps every overwritten or deleted record (no Object Lock retention: "
        f"{Context.AUDIT_LOCK_DAYS}=0{'' if retain else ', a throwaway stack'})"
    )
    _no_access_logs(
        bucket,
        "No S3 server access logs: object-level access to the records is NOT logged by this "
        "stack. Only the Firehose role writes records and only the admin function reads them (through "
        f"Athena, whose query history names every query); {locked}. An operator who must log object "
        "reads enables CloudTrail S3 data events for this bucket (an account-level trail).",
    )
    return bucket


def results_bucket(scope: Construct) -> s3.Bucket:
    """Athena's results are scratch (kept a week): in their own bucket, outside the lock."""
    bucket = _private_bucket(
        scope,
        "QueryResults",
        removal_policy=RemovalPolicy.DESTROY,
        auto_delete_objects=True,
        lifecycle_rules=[s3.LifecycleRule(id="query-results", expiration=AUDIT_QUERY_RESULTS_EXPIRY)],
    )
    _no_access_logs(
        bucket,
        "No S3 server access logs: this bucket holds only Athena's query results (deleted "
        "after 7 days), written and read by the admin function's audit queries alone.",
    )
    return bucket


def _private_bucket(scope: Construct, construct_id: str, **settings) -> s3.Bucket:
    """A bucket no one reaches but through IAM, over TLS, encrypted at rest (S3-managed keys)."""
    return s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        **settings,
    )


def _no_access_logs(bucket: s3.Bucket, reason: str) -> None:
    Validations.of(bucket).acknowledge(Acknowledgment(id="AwsSolutions-S1", reason=reason))
