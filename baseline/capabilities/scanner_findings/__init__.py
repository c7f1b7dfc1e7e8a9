"""Scanner findings: CI scanner reports imported into Security Hub."""
