"""AWS errors as the reason of an ERROR result: one line a reader can act on."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from botocore.exceptions import BotoCoreError, ClientError

from baseline.audit.model import Check, CheckResult

ACCESS_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "AuthorizationError",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
    }
)
# What endpoints answer for an API they do not implement (moto answers 500 or 404 with a page).
_UNSUPPORTED_CODES = frozenset({"NotImplemented", "InvalidAction", "UnknownOperationException"})
_MAX_MESSAGE = 200


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def error_message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", ""))


def describe_error(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, BotoCoreError):
        return str(error)
    operation = error.operation_name
    code = error_code(error)
    message = error_message(error)
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code in ACCESS_DENIED_CODES:
        return f"{operation}: access denied ({code}): {_short(message)}"
    if code in _UNSUPPORTED_CODES or status == 501:
        return f"{operation} is not supported by the endpoint ({code or status})"
    if code.isdigit() or message.lstrip().startswith("<"):
        # Not an AWS error document: a server that does not know the API.
        return f"{operation}: the endpoint answered HTTP {status} (API not supported there?)"
    return f"{operation} failed ({code}): {_short(message)}"


def _short(message: str) -> str:
    line = " ".join(message.split())
    return line if len(line) <= _MAX_MESSAGE else line[: _MAX_MESSAGE - 1] + "…"


def guarded(
    checks: Sequence[Check],
    region: str,
    resource: str,
    produce: Callable[[], Sequence[CheckResult]],
) -> list[CheckResult]:
    """The results `produce` returns, or, when an AWS call fails, ERROR for each of `checks`."""
    try:
        return list(produce())
    except (ClientError, BotoCoreError) as error:
        reason = describe_error(error)
        return [check.errored(region, resource, reason) for check in checks]
