"""Lambda entry point: ``handler.handler``.

Lambda imports this file as the top-level module ``handler``, with the function directory as the
import root: there the importer package is top-level, while in the repository it is a subpackage
of this one. The package-relative import serves the repository, the absolute one Lambda.
"""

from __future__ import annotations

import logging

try:
    from .importer import service
except ImportError:  # Lambda: no parent package
    from importer import service  # type: ignore[import-not-found, no-redef]

# Lambda's root logger shows warnings and up; the importer's progress is worth seeing too.
logging.getLogger(service.__name__.rpartition(".")[0]).setLevel(logging.INFO)


def handler(event: object, context: object) -> dict[str, object]:
    """Import the scanner report(s) the event carries into Security Hub."""
    return service.run(event, service.AwsClients.from_environment())
