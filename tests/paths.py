"""Where the repository and the tests' fixtures are, for tests at any depth under tests/."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
