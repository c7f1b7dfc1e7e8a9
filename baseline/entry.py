"""The `baseline` console script: the CLI, or one line saying which extra it needs.

`pip install security-baseline` installs the component library alone; the command's own
dependencies come with the `cli` extra. Without them, importing the CLI would end in a
traceback, so this module imports it only once it knows what is missing.
"""

from __future__ import annotations

import sys
from importlib.util import find_spec

EXIT_BAD_INPUT = 2
# The top-level modules of the `cli` extra (pyproject.toml), as Python imports them.
CLI_MODULES = ("boto3", "yaml", "cerberus", "jsonschema", "pulumi_policy")


def missing_cli_modules() -> list[str]:
    return [module for module in CLI_MODULES if find_spec(module) is None]


def main() -> int:
    missing = missing_cli_modules()
    if missing:
        print(
            f"error: the baseline command needs {', '.join(missing)}: "
            "pip install 'security-baseline[cli]'",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    from baseline.cli import main as cli_main  # noqa: PLC0415 - only once its modules exist

    return cli_main()
