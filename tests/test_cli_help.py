"""Every command's help reads in Russian: none of click's own English words, and the options say what they do."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cxexcel.cli import COMMANDS, cli, russian

CLICK_WORDS = re.compile(r"\b(required|default|Usage|Options|Commands|Arguments|Show this message)\b")


@pytest.mark.parametrize("command", [[], *([name] for name in sorted(COMMANDS))])
def test_help_has_none_of_clicks_english(command: list[str]) -> None:
    # as a user runs it: click caches the help option's text when a command is first shown, so an in-process
    # run after other tests would show what they left
    result = subprocess.run([sys.executable, "-m", "cxexcel", *command, "--help"], capture_output=True,
                            text=True, encoding="utf-8", check=False)
    assert result.returncode == 0, result.stderr
    assert not CLICK_WORDS.search(result.stdout), CLICK_WORDS.search(result.stdout)


def test_consolidate_help_says_how_the_summary_date_is_chosen() -> None:
    russian.install()
    output = CliRunner().invoke(cli, ["consolidate", "--help"]).output
    assert "[обязательно]" in output
    assert "самую позднюю «Отчетную дату» принятых книг" in " ".join(output.split())
