"""Secret values of the spec: never printed, and a placeholder while still encrypted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SECRET_PLACEHOLDER = "[secret]"


@dataclass(frozen=True)
class Secret:
    """A secret value (plaintext, or a placeholder where it is still encrypted)."""

    value: str

    def __repr__(self) -> str:
        return "Secret(***)"


def is_pulumi_secure_value(value: object) -> bool:
    """A value `pulumi config set --secret` wrote to a stack file: {secure: <ciphertext>}."""
    return (
        isinstance(value, Mapping)
        and list(value) == ["secure"]
        and isinstance(value["secure"], str)
        and bool(value["secure"])
    )


def secret(value: object) -> Secret:
    """The decrypted value, or the placeholder when a stack file still holds ciphertext."""
    return Secret(SECRET_PLACEHOLDER if is_pulumi_secure_value(value) else str(value))
