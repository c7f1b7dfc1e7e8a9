"""`python -m baseline`: the same as the `baseline` command."""

from baseline.cli import main

raise SystemExit(main())
