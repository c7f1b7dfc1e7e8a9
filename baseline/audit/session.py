"""boto3 access to the audited account: the usual credential chain, an optional endpoint.

`connect` proves the account is reachable before any check runs (STS GetCallerIdentity),
so a wrong endpoint, missing credentials or an unknown profile is one clear problem, not
one ERROR per check. `assume_role` reaches another account from there: its session shares
the caller's boto3 session (its event hooks, its parsed service models) and only signs
with other credentials.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from baseline.audit.errors import describe_error
from baseline.problems import Problem, SpecError

_CLIENT_CONFIG = Config(connect_timeout=10, read_timeout=60, user_agent_extra="baseline-audit")
# The reachability probe fails fast: one attempt, no retries on a dead endpoint.
_PROBE_CONFIG = Config(connect_timeout=5, read_timeout=15, retries={"total_max_attempts": 1})
ROLE_SESSION_NAME = "security-baseline-audit"
# boto3 sessions are not thread-safe; clients are. Clients are created under this lock, then
# used from any thread.
_CLIENT_CREATION = threading.Lock()


class AuditSession:
    """Clients for one account, one per (service, region), created on first use."""

    def __init__(
        self,
        boto_session: boto3.Session,
        *,
        account_id: str,
        partition: str,
        endpoint_url: str | None = None,
        credentials: Mapping[str, str] | None = None,
    ) -> None:
        self.boto_session = boto_session
        self._account_id = account_id
        self._partition = partition
        self.endpoint_url = endpoint_url
        # Keyword arguments of `boto3.Session.client`; None: the session's own credentials.
        self._credentials = dict(credentials or {})
        self._clients: dict[tuple[str, str], Any] = {}

    @property
    def account_id(self) -> str:
        return self._account_id

    @property
    def partition(self) -> str:
        return self._partition

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with _CLIENT_CREATION:
            if key not in self._clients:
                self._clients[key] = self._new_client(service, region)
            return self._clients[key]

    def _new_client(self, service: str, region: str) -> Any:
        client = self.boto_session.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint_url,
            config=_CLIENT_CONFIG,
            **self._credentials,
        )
        if service == "s3control" and self.endpoint_url:
            client.meta.events.register("before-sign.s3-control", self._onto_endpoint_host)
        return client

    def _onto_endpoint_host(self, request: Any, **_: Any) -> None:
        # S3 Control's endpoint rules put the account id in front of the host
        # (123456789012.localhost:5000); a custom endpoint such as a local emulator serves
        # every account on its own host name, which the prefixed one does not resolve to.
        assert self.endpoint_url is not None
        endpoint = urlsplit(self.endpoint_url)
        request.url = urlunsplit(urlsplit(request.url)._replace(netloc=endpoint.netloc))


def connect(profile: str | None, endpoint_url: str | None, region: str) -> AuditSession:
    """A session whose credentials STS accepted in `region`; SpecError saying why not."""
    boto_session = _boto_session(profile, region)
    try:
        sts = boto_session.client(
            "sts", region_name=region, endpoint_url=endpoint_url, config=_PROBE_CONFIG
        )
        identity = sts.get_caller_identity()
    except ValueError as error:  # botocore's verdict on a malformed endpoint URL
        raise SpecError([Problem("--endpoint-url", str(error))]) from None
    except NoCredentialsError:
        what = "no credentials found: use --profile, AWS_PROFILE, environment variables or a role"
        raise SpecError([Problem("aws", what)]) from None
    except (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError) as error:
        where = endpoint_url or "aws"
        raise SpecError([Problem(where, f"cannot reach the endpoint: {error}")]) from None
    except ClientError as error:
        what = f"the credentials were refused: {describe_error(error)}"
        raise SpecError([Problem(endpoint_url or "aws", what)]) from None
    except BotoCoreError as error:
        where = endpoint_url or "aws"
        raise SpecError([Problem(where, f"cannot reach AWS: {error}")]) from None
    return AuditSession(
        boto_session,
        account_id=str(identity["Account"]),
        partition=str(identity["Arn"]).split(":")[1],
        endpoint_url=endpoint_url,
    )


def _boto_session(profile: str | None, region: str) -> boto3.Session:
    try:
        return boto3.Session(profile_name=profile, region_name=region)
    except ProfileNotFound as error:
        raise SpecError([Problem("--profile", str(error))]) from None


def assume_role(caller: AuditSession, role_arn: str, region: str) -> AuditSession:
    """A session in the account of `role_arn`, as that role; SpecError saying why not."""
    try:
        return assumed_session(caller, role_arn, region, ROLE_SESSION_NAME)
    except (ClientError, BotoCoreError) as error:
        raise SpecError(
            [Problem(role_arn, f"cannot assume the role: {describe_error(error)}")]
        ) from None


def assumed_session(
    caller: AuditSession, role_arn: str, region: str, session_name: str
) -> AuditSession:
    """A session in the account of `role_arn`, as that role; STS's error when it refuses."""
    sts = caller.client("sts", region)
    response = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name)
    credentials = response["Credentials"]
    return AuditSession(
        caller.boto_session,
        # arn:<partition>:iam::<account>:role/<name>
        account_id=role_arn.split(":")[4],
        partition=caller.partition,
        endpoint_url=caller.endpoint_url,
        credentials={
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        },
    )
