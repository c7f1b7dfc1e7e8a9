"""What the program has built so far: the context each capability's wiring builds on.

`baseline.stack.build` makes one `Baseline` and hands it to each capability in turn. A
capability reads the spec, deploys with the account providers, finds what the capabilities
before it built (`built(LogArchive)`) and records what it builds itself for those after it.
A relation between capabilities is a method of what the earlier one built (the topics'
`grant_publish`), never a name built by convention; `complete` ends what waited for grants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pulumi

from baseline.completion import Completion
from baseline.providers import AccountProviders
from baseline.spec import Spec

# The tag that names a resource's role in the baseline; the audit finds buckets by it.
ROLE_TAG = "security-baseline:role"

_Built = TypeVar("_Built")
_Service = TypeVar("_Service", bound=pulumi.ComponentResource)


class Baseline:
    """The spec, the account providers, and what the capabilities have built so far."""

    def __init__(self, spec: Spec, providers: AccountProviders) -> None:
        self.spec = spec
        self.providers = providers
        self._built: dict[type, object] = {}
        # Steps that wait for every capability, such as rendering the policies of what others
        # were granted (notifications' `grant_publish`); `complete` runs them.
        self.completion = Completion()

    def record(self, built: object) -> None:
        """Keep `built` for the capabilities after this one, which find it by its type."""
        kind = type(built)
        if kind in self._built:
            raise ValueError(f"a {kind.__name__} is recorded already")
        self._built[kind] = built

    def find(self, kind: type[_Built]) -> _Built | None:
        """What a capability before this one built of `kind`, if it did (it may be disabled)."""
        built = self._built.get(kind)
        return built if isinstance(built, kind) else None

    def built(self, kind: type[_Built]) -> _Built:
        """What a capability before this one must have built of `kind`."""
        built = self.find(kind)
        if built is None:
            raise LookupError(f"no {kind.__name__} built yet: check the capabilities' order")
        return built

    def complete(self) -> None:
        """Every capability has built: end what waited for them (stack.build, once)."""
        self.completion.run()

    def abandon(self, error: BaseException) -> None:
        """A capability failed: what waited for the others fails with its error."""
        self.completion.abandon(error)

    def administered(self, service: Callable[..., _Service], name: str, args: object) -> _Service:
        """A detective service in the security account, its administrator in organization mode:
        there the management account designates the security account as delegated admin."""
        management = self.providers.management if self.spec.organization_mode else None
        return service(
            name, args, management_provider=management, opts=self.providers.options("security")
        )

    def delegated_admin(self) -> str | None:
        """The security account, every detective service's administrator; None in one account."""
        return self.spec.accounts.security.id if self.spec.accounts else None
