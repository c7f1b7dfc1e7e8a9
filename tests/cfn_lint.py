"""cfn-lint's `cfnlint.api.lint`, with its rules loaded once per test session.

`cfnlint.api.lint` makes a new `Runner` for each template, and a `Runner` loads and instantiates
every built-in rule: a third of the time of a lint of this project's templates. cfn-lint's own
command line lints any number of templates with one `Runner`, that is one set of rules; so do
the tests. What is run is what `lint` runs: the template decoded the same way, then
`run_template_by_data` with the same configuration and the same (default) rules.
"""

from __future__ import annotations

import functools

from cfnlint.config import ConfigMixIn
from cfnlint.decode.decode import decode_str
from cfnlint.helpers import REGION_PRIMARY
from cfnlint.rules import Match, Rules
from cfnlint.runner import Runner, run_template_by_data


@functools.cache
def _default_rules() -> Rules:
    """The rules a `Runner` without appended or custom rules loads (`cfnlint.api.lint`'s)."""
    return Runner(ConfigMixIn(regions=[REGION_PRIMARY])).rules


def lint(text: str, regions: list[str] | None = None) -> list[Match]:
    """`cfnlint.api.lint(text, regions=regions)`: the problems found, none if it lints clean."""
    template, errors = decode_str(text)
    if errors:
        return list(errors)
    if template is None:
        return []
    config = ConfigMixIn(regions=regions or [REGION_PRIMARY])
    return list(run_template_by_data(template, config, _default_rules()))
