"""`--speed` of `osteomonitor replay`: 1–64 or max, and clear errors otherwise."""

from __future__ import annotations

import pytest

from osteomonitor.cli.live import parse_speed
from osteomonitor.errors import UsageError


@pytest.mark.parametrize(("text", "value"), [("1", 1.0), ("8", 8.0), ("x64", 64.0), ("max", None)])
def test_speeds_accepted(text: str, value: float | None) -> None:
    assert parse_speed(text) == value


@pytest.mark.parametrize("text", ["0", "0.5", "65", "fast", ""])
def test_speeds_refused_with_the_range_named(text: str) -> None:
    with pytest.raises(UsageError, match="1 to 64"):
        parse_speed(text)


def test_dashboard_commands_refuse_bad_input_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from osteomonitor.cli import main

    cases = [
        (["replay", "no-such-file.omrec"], 1, "no such file"),
        (["replay", "recordings/demo-P00-impact-sim.omrec", "--speed", "0"], 2, "1 to 64"),
        (["review", "no-such-folder"], 1, "no such folder"),
        (["live", "--patient", "P07"], 2, "--simulate h10"),
        (["demo", "--speed", "-1"], 2, "--speed"),
    ]
    for argv, code, words in cases:
        assert main(argv) == code, argv
        err = capsys.readouterr().err
        assert err.startswith("osteomonitor: error:") and words in err, (argv, err)
        assert "Traceback" not in err


def test_help_lists_the_dashboard_commands(capsys: pytest.CaptureFixture[str]) -> None:
    from osteomonitor.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("demo", "live", "replay", "review"):
        assert command in out
