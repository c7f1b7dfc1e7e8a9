"""The cerberus schema of the stack config key `security-baseline:baseline`.

Each capability's section rules live in its folder (baseline/capabilities/<key>/section.py,
`SECTION`), assembled here from the registry in `SECTIONS`. `BaselineValidator` adds the
AWS-specific rules the sections name; `validate` runs it and returns the normalized
document (defaults applied) with every problem found.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping
from enum import Enum
from typing import Any, ClassVar

import cerberus
import cerberus.schema
from cerberus import errors as cerberus_errors

from baseline.capabilities.accounts.section import ACCOUNT_ROLES
from baseline.capabilities.registry import CAPABILITIES
from baseline.capabilities.tags.section import RESERVED_TAG_KEYS
from baseline.regions import known_regions, region_problem, yaml_type
from baseline.secret import is_pulumi_secure_value

_ARN_PARTITION = r"arn:aws(?:-[a-z]+)*"
_IAM_NAME = r"[\w+=,.@-]{1,64}"
_IAM_PATH = r"(?:[\w+=,.@-]+/)*"
_ROLE_ARN = rf"{_ARN_PARTITION}:iam::\d{{12}}:role/{_IAM_PATH}{_IAM_NAME}"
_PRINCIPAL_ARN = rf"{_ARN_PARTITION}:iam::\d{{12}}:(?:root|(?:role|user)/{_IAM_PATH}{_IAM_NAME})"
_TAG_CHARACTERS = re.compile(r"[\w\s.:/=+\-@]*")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Shown instead of a value (or a key) where the spec takes a secret.
HIDDEN = "(not shown: the path takes a secret)"

# name -> (regex the whole value must match, what the problem says the value must be)
PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "organization_id": (re.compile(r"o-[a-z0-9]{10,32}"), "an organization id (o-xxxxxxxxxx)"),
    "iam_role_name": (re.compile(_IAM_NAME), "an IAM role name (1-64 of A-Za-z0-9+=,.@_-)"),
    "iam_role_arn": (re.compile(_ROLE_ARN), "an IAM role ARN (arn:aws:iam::<account>:role/<name>)"),
    "iam_principal_arn": (
        re.compile(_PRINCIPAL_ARN),
        "an IAM principal ARN (arn:aws:iam::<account>:root, :role/<name> or :user/<name>)",
    ),
    "trail_name": (
        re.compile(r"(?=.{3,128}$)[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*"),
        "a CloudTrail name (3-128 letters, digits and single . _ - between them)",
    ),
    "topic_name": (
        re.compile(r"[a-z][a-z0-9-]{0,63}"),
        "a topic name (lowercase letter, then up to 63 of a-z0-9-)",
    ),
    "email": (
        re.compile(
            r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
        ),
        "an email address",
    ),
}


SECTIONS: dict[str, Mapping[str, Any]] = {
    capability.name: capability.rules for capability in CAPABILITIES
}


def format_path(path: tuple[object, ...]) -> str:
    """`baseline.topics.alerts.emails[0]`; keys that are not plain words as `["aws:x"]`.

    Within a section that takes a secret, such a key is not shown either: it may be the
    secret itself, pasted in the wrong place.
    """
    text = "baseline"
    for depth, part in enumerate(path, start=1):
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        elif isinstance(part, str) and _PLAIN_KEY.fullmatch(part):
            text += f".{part}"
        elif depth > 1 and holds_secret(path[: depth - 1]):
            text += "[<key not shown>]"
        else:
            text += f'["{part}"]'
    return text


class _Any(Enum):
    """Where a secret path goes through a mapping's keys or a list's items."""

    KEY = "<key>"
    INDEX = "<index>"


SecretPath = tuple[str | _Any, ...]


def secret_paths(schema: Mapping[str, Any]) -> tuple[SecretPath, ...]:
    """The path of every rule `secret: True` of a cerberus schema (its fields' rules)."""
    found: list[SecretPath] = []
    pending: list[tuple[SecretPath, Mapping[str, Any]]] = [((f,), r) for f, r in schema.items()]
    while pending:
        path, rules = pending.pop()
        if rules.get("secret"):
            found.append(path)
        nested = rules.get("schema")
        if isinstance(nested, Mapping) and rules.get("type") == "list":
            pending.append(((*path, _Any.INDEX), nested))
        elif isinstance(nested, Mapping):
            pending.extend(((*path, field), sub) for field, sub in nested.items())
        if isinstance(rules.get("valuesrules"), Mapping):
            pending.append(((*path, _Any.KEY), rules["valuesrules"]))
        for combinator in ("allof", "anyof", "noneof", "oneof"):
            pending.extend((path, sub) for sub in rules.get(combinator, ()))
    return tuple(sorted(found, key=str))


SECRET_PATHS = secret_paths(SECTIONS)


def holds_secret(path: tuple[object, ...]) -> bool:
    """Whether the value at `path` is, contains or lies inside a value that takes a secret."""
    return any(_along(path, secret) for secret in SECRET_PATHS)


def _along(path: tuple[object, ...], secret: SecretPath) -> bool:
    return all(_step_matches(part, step) for part, step in zip(path, secret, strict=False))


def _step_matches(part: object, step: str | _Any) -> bool:
    if step is _Any.INDEX:
        return isinstance(part, int) and not isinstance(part, bool)
    return step is _Any.KEY or part == step


def describe(value: object, path: tuple[object, ...]) -> str:
    """What the YAML held, for a problem: with the value, unless the path takes a secret."""
    if not holds_secret(path):
        return yaml_type(value)
    return f"{_kind(value)} {HIDDEN}" if value is not None else "null"


def _kind(value: object) -> str:
    return yaml_type(value).split(" (", 1)[0]


class BaselineValidator(cerberus.Validator):
    """Cerberus plus the rules of the baseline spec.

    Config (keyword arguments, inherited by child validators): `aws_region` (the stack's
    `aws:region`, default of the home region) and `secrets_decrypted` (True inside a running
    Pulumi program, where the engine has already decrypted secret values).
    """

    # bool is an int subclass; `deletion_window_days: true` must not pass as 1.
    types_mapping: ClassVar[dict[str, Any]] = {
        **cerberus.Validator.types_mapping,
        "integer": cerberus.TypeDefinition("integer", (int,), (bool,)),
    }

    def _validate_check_with(self, checks: Any, field: str, value: object) -> None:
        # Checks are written for the declared type; a value of another type (a null list
        # item, a string where a mapping belongs) already has its error from `type`.
        if self._has_declared_type(field, value):
            super()._validate_check_with(checks, field, value)

    # Cerberus reads a rule's own schema from its method's docstring.
    _validate_check_with.__doc__ = cerberus.Validator._validate_check_with.__doc__

    def _has_declared_type(self, field: str, value: object) -> bool:
        rules = self.schema.get(field) if self.schema else None
        declared = rules.get("type") if isinstance(rules, Mapping) else None
        if declared is None:
            return value is not None
        names = [declared] if isinstance(declared, str) else list(declared)
        return any(self._is_of_type(value, name) for name in names)

    def _is_of_type(self, value: object, name: str) -> bool:
        definition = self.types_mapping[name]
        if name == "list" and isinstance(value, str):
            return False
        return isinstance(value, definition.included_types) and not isinstance(
            value, definition.excluded_types
        )

    def _describe(self, field: str, value: object) -> str:
        return describe(value, (*self.document_path, field))

    def _shown(self, field: str, value: object) -> str:
        """`repr(value)`, unless the field's path takes a secret."""
        return HIDDEN if holds_secret((*self.document_path, field)) else repr(value)

    def _validate_account_id(self, constraint: bool, field: str, value: object) -> None:
        """{'type': 'boolean'}"""
        if not constraint:
            return
        if isinstance(value, int) and not isinstance(value, bool):
            self._error(
                field,
                "must be a quoted string ('012345678901'): as a YAML integer a "
                "leading zero would be lost",
            )
        elif not (isinstance(value, str) and re.fullmatch(r"\d{12}", value)):
            self._error(
                field, f"must be a 12-digit AWS account id, got {self._describe(field, value)}"
            )

    def _validate_distinct_account(self, constraint: bool, field: str, value: object) -> None:
        """{'type': 'boolean'}"""
        accounts = self.root_document.get("accounts")
        role = self.document_path[-1] if self.document_path else None
        if not constraint or not isinstance(accounts, Mapping) or role not in ACCOUNT_ROLES:
            return
        for earlier in ACCOUNT_ROLES[: ACCOUNT_ROLES.index(role)]:
            other = accounts.get(earlier)
            if isinstance(other, Mapping) and other.get("id") == value:
                self._error(
                    field,
                    f"same id as accounts.{earlier}.id: the management, "
                    "security and log-archive accounts must differ",
                )
                return

    def _validate_aws_region(self, constraint: bool, field: str, value: object) -> None:
        """{'type': 'boolean'}"""
        problem = region_problem(value) if constraint else None
        if problem:
            hidden = holds_secret((*self.document_path, field))
            self._error(field, "must be a region name" if hidden else problem)

    def _validate_contains_field(self, other: str, field: str, value: object) -> None:
        """{'type': 'string'}"""
        required = self.document.get(other)
        if not isinstance(required, str) or not isinstance(value, list):
            return
        if required in known_regions() and required not in value:
            self._error(field, f"must include the {other} region {required}")

    def _validate_same_partition_as(self, other: str, field: str, value: object) -> None:
        """{'type': 'string'}"""
        home = self.document.get(other)
        partition = known_regions().get(home) if isinstance(home, str) else None
        if partition is None or not isinstance(value, list):
            return
        regions = [r for r in value if isinstance(r, str)]
        foreign = [r for r in regions if known_regions().get(r, partition) != partition]
        if foreign:
            self._error(
                field,
                f"{', '.join(foreign)} not in the {other} region's partition "
                f"{partition}: one baseline cannot span partitions",
            )

    def _validate_less_than_field(self, other: str, field: str, value: object) -> None:
        """{'type': 'string'}"""
        limit = self.document.get(other)
        if isinstance(value, int) and isinstance(limit, int) and value >= limit:
            self._error(field, f"must be less than {other} ({limit})")

    def _validate_disjoint_from(self, other: str, field: str, value: object) -> None:
        """{'type': 'string'}"""
        others = self.document.get(other)
        if not (isinstance(value, list) and isinstance(others, list)):
            return
        for index, item in enumerate(value):
            if item in others:
                self._item_error(
                    field, index, f"also in {other}: a principal must not both manage and use keys"
                )

    def _validate_unique(self, constraint: bool, field: str, value: object) -> None:
        """{'type': 'boolean'}"""
        if not (constraint and isinstance(value, list)):
            return
        for index, item in enumerate(value):
            if item in value[:index]:
                self._item_error(field, index, f"{self._shown(field, item)} is listed twice")

    def _validate_pattern(self, name: str, field: str, value: object) -> None:
        """{'type': 'string'}"""
        regex, description = PATTERNS[name]
        if isinstance(value, str) and not regex.fullmatch(value):
            self._error(field, f"must be {description}, got {self._shown(field, value)}")

    def _validate_tag_key(self, constraint: bool, field: str, value: object) -> None:
        """{'type': 'boolean'}"""
        if not (constraint and isinstance(value, str)):
            return
        if not 1 <= len(value) <= 128:
            self._error(field, "a tag key must have 1 to 128 characters")
        elif value.lower().startswith("aws:"):
            self._error(field, "the aws: prefix is reserved for AWS")
        elif value in RESERVED_TAG_KEYS:
            self._error(field, "reserved: the program sets this tag itself")
        elif not _TAG_CHARACTERS.fullmatch(value):
            self._error(field, "a tag key may hold letters, digits, spaces and _.:/=+-@ only")

    def _validate_tag_value(self, constraint: bool, field: str, value: object) -> None:
        """{'type': 'boolean'}"""
        if not (constraint and isinstance(value, str)):
            return
        if len(value) > 256:
            self._error(field, "a tag value must have at most 256 characters")
        elif not _TAG_CHARACTERS.fullmatch(value):
            self._error(field, "a tag value may hold letters, digits, spaces and _.:/=+-@ only")

    def _validate_secret(self, constraint: bool, field: str, value: object) -> None:
        """{'type': 'boolean'}"""
        if not constraint:
            return
        if self._config.get("secrets_decrypted"):
            if not (isinstance(value, str) and value):
                self._error(
                    field, f"must be a non-empty string, got {self._describe(field, value)}"
                )
        elif not is_pulumi_secure_value(value):
            # Namespaced, so that the command is right in any project.
            key = "security-baseline:" + format_path((*self.document_path, field))
            self._error(
                field,
                f"must be a Pulumi secret (pulumi config set --secret --path '{key}' <value>)",
            )

    def _item_error(self, field: str, index: int, message: str) -> None:
        path = (*self.document_path, field, index)
        custom = cerberus_errors.CUSTOM.code
        self._error(
            [cerberus_errors.ValidationError(path, (), custom, None, None, None, (message,))]
        )

    def _normalize_default_setter_home_region(self, document: Mapping[str, Any]) -> str:
        region = self._config.get("aws_region")
        if region is None:
            raise ValueError("required (or set aws:region in the stack config)")
        return str(region)

    def _normalize_default_setter_enabled_regions(self, document: Mapping[str, Any]) -> list[str]:
        home = document.get("home")
        return [home] if isinstance(home, str) and home in known_regions() else []

    def _normalize_default_setter_default_topics(
        self, document: Mapping[str, Any]
    ) -> dict[str, Any]:
        return {"security-alerts": {}}


@functools.cache
def checked_schema() -> cerberus.schema.DefinitionSchema:
    """`SECTIONS` as cerberus uses it, without checking it against cerberus' own meta-schema.

    Cerberus checks a schema against its rules whenever a process builds its first validator,
    which costs more than validating the spec itself; `SECTIONS` is code, checked once by the
    tests (tests/test_schema.py) instead. The expansion of shorthand rules still happens.
    """
    return cerberus.schema.UnvalidatedSchema(cerberus.schema.DefinitionSchema.expand(SECTIONS))


def validate(
    document: Mapping[str, Any], *, aws_region: str | None, secrets_decrypted: bool
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The normalized document and its problems as (`baseline.<path>`, what is wrong)."""
    validator = BaselineValidator(
        checked_schema(),
        error_handler=_ProblemList,
        aws_region=aws_region,
        secrets_decrypted=secrets_decrypted,
    )
    validator.validate(document)
    return validator.document, validator.errors


class _ProblemList(cerberus_errors.BaseErrorHandler):
    """Formats cerberus' errors as a flat list of (`baseline.<path>`, what is wrong)."""

    def __call__(self, errors: list[Any]) -> list[tuple[str, str]]:
        return [
            (format_path(e.document_path), _message(e, holds_secret(e.document_path)))
            for e in _leaves(errors)
        ]


def _leaves(errors: list[Any]) -> list[Any]:
    leaves = []
    for error in errors:
        children = error.child_errors if error.is_group_error else None
        leaves.extend(_leaves(children) if children else [error])
    return leaves


def _message(error: Any, hide_value: bool) -> str:
    code = error.code
    value = HIDDEN if hide_value else error.value
    kind = describe(error.value, error.document_path)
    if code in (cerberus_errors.CUSTOM.code, cerberus_errors.SETTING_DEFAULT_FAILED.code):
        return str(error.info[0])
    if code == cerberus_errors.UNKNOWN_FIELD.code:
        return "unknown key" + ("" if hide_value else _did_you_mean(error))
    if code == cerberus_errors.REQUIRED_FIELD.code:
        return "required"
    if code == cerberus_errors.NOT_NULLABLE.code:
        return "must have a value, got null"
    if code == cerberus_errors.BAD_TYPE_FOR_SCHEMA.code:
        return f"must be a mapping, got {kind}"
    if code == cerberus_errors.BAD_TYPE.code:
        expected = {"dict": "a mapping", "integer": "an integer", "list": "a list"}
        wanted = expected.get(str(error.constraint), f"a {error.constraint}")
        hint = ": quote it" if wanted == "a string" and isinstance(error.value, int | float) else ""
        return f"must be {wanted}, got {kind}{hint}"
    if code == cerberus_errors.MIN_VALUE.code:
        return f"must be at least {error.constraint}, got {value}"
    if code == cerberus_errors.MAX_VALUE.code:
        return f"must be at most {error.constraint}, got {value}"
    if code == cerberus_errors.UNALLOWED_VALUE.code:
        allowed = ", ".join(str(v) for v in error.constraint)
        return f"must be one of {allowed}; got {value if hide_value else repr(value)}"
    if code == cerberus_errors.MIN_LENGTH.code:
        return f"must have at least {error.constraint} entries"
    if code == cerberus_errors.MAX_LENGTH.code:
        return f"must have at most {error.constraint} entries"
    template = cerberus_errors.BasicErrorHandler.messages[code]
    return str(template.format(*error.info, constraint=error.constraint, value=value))


def _did_you_mean(error: Any) -> str:
    """` (did you mean <key>?)` naming the closest key the schema allows there, if one is close."""
    key = error.document_path[-1] if error.document_path else None
    fields = _schema_at(error.schema_path)
    if not isinstance(key, str) or fields is None:
        return ""
    close = difflib.get_close_matches(key, [str(field) for field in fields], n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _schema_at(schema_path: tuple[Any, ...]) -> Mapping[str, Any] | None:
    """The fields of the mapping an unknown key was found in: cerberus names its schema rule."""
    node: Any = SECTIONS
    for step in schema_path:
        in_mapping = isinstance(node, Mapping) and step in node
        in_list = isinstance(node, list | tuple) and isinstance(step, int) and step < len(node)
        if not (in_mapping or in_list):
            return None
        node = node[step]
    return node if isinstance(node, Mapping) else None
