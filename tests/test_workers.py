"""The checking pool's fork server: started ahead of need, with the checking code already imported."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from multiprocessing import forkserver
from pathlib import Path

import pytest
from click.testing import CliRunner

import cxexcel.cli
import cxexcel.consolidate
from cxexcel.consolidate import consolidate
from cxexcel.workers import WORKER_MODULES, start_early

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="workers are spawned there: no fork server")

# run in a fresh interpreter: the fork server is one per process, and this test process may have one already
_WORKER_SEES = """
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver
from cxexcel.workers import pool_context, start_early
if sys.argv[1] == "early":
    start_early()
    assert forkserver._forkserver._forkserver_pid is not None, "start_early started no server"
    context = pool_context()
else:  # the server as multiprocessing starts it by itself, without our preload
    import multiprocessing
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([])
with ProcessPoolExecutor(1, mp_context=context) as pool:
    # eval travels by name: asking does not import anything of cxexcel into the worker
    print(pool.submit(eval, "sorted(m for m in __import__('sys').modules if m.startswith('cxexcel'))").result())
"""


def _worker_modules(how: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(_WORKER_SEES), how], capture_output=True,
                          text=True, timeout=120, check=True)
    names = eval(done.stdout.strip())  # the printed list of a process of ours
    assert isinstance(names, list)
    return names


def test_a_worker_of_the_early_server_has_the_checking_code_before_its_first_file() -> None:
    early = _worker_modules("early")
    assert set(WORKER_MODULES) <= set(early)
    assert "cxexcel.validate" in early and "cxexcel.read" in early
    # the control: a server started without the preload gives workers that would import it all again
    plain = _worker_modules("plain")
    assert not set(WORKER_MODULES) & set(plain)


class _Calls:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def test_the_command_line_starts_the_server_only_for_a_run_of_a_pooled_command_with_workers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _Calls()
    monkeypatch.setattr(cxexcel.cli, "start_early", calls)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    runner = CliRunner()
    for args in (["--help"], ["consolidate", "--help"], ["demo", "-h"], ["templates", "--help"]):
        result = runner.invoke(cxexcel.cli.cli, args)
        assert result.exit_code == 0, result.output
    assert calls.count == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    expected = 0
    for jobs, starts in ((["--jobs", "1"], False), (["--jobs=1"], False), (["--jobs", "2"], True),
                         (["--jobs=2"], True), ([], True)):
        output = tmp_path / f"out{len(jobs)}{starts}" / "Свод.xlsx"
        result = runner.invoke(cxexcel.cli.cli, ["consolidate", str(inbox), "-o", str(output), *jobs])
        assert result.exit_code == 0, result.output
        expected += starts
        assert calls.count == expected, (jobs, result.output)
    # one core and no --jobs: no workers, no server
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    runner.invoke(cxexcel.cli.cli, ["consolidate", str(inbox), "-o", str(tmp_path / "one" / "Свод.xlsx")])
    assert calls.count == expected


def test_a_server_that_cannot_start_early_does_not_stop_the_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise OSError("no temporary folder for the socket")

    monkeypatch.setattr(forkserver, "ensure_running", refuse)
    start_early()  # nothing raised
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    result = CliRunner().invoke(cxexcel.cli.cli, ["consolidate", str(inbox), "-o", str(tmp_path / "out" / "Свод.xlsx"),
                                                  "--jobs", "2"])
    assert result.exit_code == 0, result.output


def test_consolidate_starts_the_server_itself_when_it_will_use_workers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _Calls()
    monkeypatch.setattr(cxexcel.consolidate, "start_early", calls)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    consolidate(inbox, tmp_path / "one" / "Свод.xlsx", jobs=1, use_cache=False)
    assert calls.count == 0
    consolidate(inbox, tmp_path / "two" / "Свод.xlsx", jobs=2, use_cache=False)
    assert calls.count == 1
