"""The `baseline` console script without the `cli` extra: one line, exit 2, no traceback."""

import pytest

from baseline import entry


def test_without_the_cli_extra_the_command_names_what_is_missing(monkeypatch, capsys):
    present = entry.find_spec
    monkeypatch.setattr(entry, "find_spec", lambda name: None if name == "yaml" else present(name))
    assert entry.main() == entry.EXIT_BAD_INPUT
    [line] = capsys.readouterr().err.splitlines()
    assert line == "error: the baseline command needs yaml: pip install 'security-baseline[cli]'"


def test_with_the_cli_extra_the_command_runs(monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["baseline", "--version"])
    with pytest.raises(SystemExit) as exited:
        entry.main()
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("baseline ")
