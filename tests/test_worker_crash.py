"""A worker process that dies on a file costs that file only: the run goes on and the file is rejected.

Nothing in cxexcel can be made to crash a worker on purpose, so the tests hand the workers another task:
`collect._check_one` is looked up when a run starts and travels to the workers by name, so replacing it in
this process with `_dying_check_one` (a function of this module, which the workers import) makes a worker
kill itself on the files named for it, as a native abort in python-calamine would, and check every other
file as usual. No test hook exists in cxexcel itself.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import python_calamine as pc
from click.testing import CliRunner

from cxexcel.cli import cli
from cxexcel.consolidate import FileStatus, collect, consolidate
from cxexcel.consolidate.collect import CheckSettings, FileOutcome, ResultCache, check_entries
from cxexcel.consolidate.inbox import scan_inbox
from cxexcel.forms import catalog
from cxexcel.issues import Code
from cxexcel.programme import default_programme
from cxexcel.template import build_workbook
from tests.samples import sample_data
from tests.test_consolidate import AS_OF, build_inbox, measurement_rows

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="kills worker processes with POSIX signals")

# a file whose name holds this kills the worker that checks it
DEADLY = "Аварийный"
CRASH_REGION = "Удмуртская Республика"
CRASH_NAME = f"{DEADLY}.xlsx"
SIBLING_SECONDS = 0.25

# bound when a worker imports this module: there `collect._check_one` is still cxexcel's own
_real_check_one = collect._check_one


def _dying_check_one(args: tuple[Any, CheckSettings]) -> FileOutcome:
    """The workers' task for these tests: a native abort on a deadly file, the real check on any other."""
    entry = args[0]
    if DEADLY in entry.path.name:
        import resource  # POSIX only, as the whole module

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort, as calamine's would be, without a core file
        os.abort()
    # every other file takes a moment, so that the files in flight beside the deadly one are still in the
    # pool when its worker dies (they break with it, and are checked again alone): without it a fast machine
    # could finish them first, and what the tests see would depend on timing
    time.sleep(SIBLING_SECONDS)
    return _real_check_one(args)


def _killed_check_one(args: tuple[Any, CheckSettings]) -> FileOutcome:
    """Every check dies as under the OOM killer: what a machine without memory looks like."""
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


@pytest.fixture
def alone(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files (inbox-relative) checked again alone, in order, after a worker died."""
    names: list[str] = []
    real = collect._AloneWorker.check

    def recording(self: collect._AloneWorker, task: Any, args: tuple[Any, CheckSettings]) -> FileOutcome | int:
        names.append(args[0].relative)
        return real(self, task, args)

    monkeypatch.setattr(collect._AloneWorker, "check", recording)
    return names


def add_deadly_file(inbox: Path) -> Path:
    """A good workbook of a region of its own, named to kill its worker; first in the inbox's order."""
    data = sample_data("measurements")
    data["Замеры"] = measurement_rows(15, codes=["ТК-01"], start=dt.date(2021, 9, 5), seed=7)
    data[catalog.TITLE_SHEET].update(region=CRASH_REGION, czn="ГКУ УР «ЦЗН г. Ижевска»")
    path = inbox / CRASH_NAME
    build_workbook("measurements", path, data=data)
    return path


def without(data: dict[str, Any], name: str) -> dict[str, Any]:
    """A summary's JSON without the rows of one file (its row on «Файлы», its issues)."""
    rest = dict(data)
    rest["files"] = [f for f in data["files"] if f["path"] != name]
    rest["issues"] = [i for i in data["issues"] if i["file"] != name]
    return rest


def cached_names(out: Path) -> set[str]:
    outcomes = [pickle.loads(p.read_bytes()) for p in (out / ".cxexcel-cache").glob("*.pickle")
                if not p.name.startswith("summary-")]
    return {o.entry.path.name for o in outcomes}


def test_a_dying_worker_costs_one_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, alone: list[str]) -> None:
    build_inbox(tmp_path)
    inbox = tmp_path / "inbox"
    consolidate(inbox, tmp_path / "ref" / "Свод.xlsx", as_of=AS_OF, json_output=tmp_path / "ref.json", jobs=2,
                use_cache=False)
    reference = json.loads((tmp_path / "ref.json").read_text(encoding="utf-8"))
    add_deadly_file(inbox)
    monkeypatch.setattr(collect, "_check_one", _dying_check_one)

    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["consolidate", str(inbox), "-o", str(out / "Свод.xlsx"), "--json",
                                      str(out / "Свод.json"), "--jobs", "2", "--as-of", "15.10.2021"])
    assert result.exit_code == 0, result.output
    assert "Внутренняя ошибка" not in result.output
    data = json.loads((out / "Свод.json").read_text(encoding="utf-8"))

    # every other file counts exactly as in a run without the deadly one
    assert without(data, CRASH_NAME) == reference
    assert CRASH_REGION not in {r["region"] for r in data["regions"]}
    row = next(f for f in data["files"] if f["path"] == CRASH_NAME)
    assert row["status"] == FileStatus.REJECTED.value
    assert "аварийно завершила рабочий процесс (сигнал SIGABRT)" in row["reason"]
    assert "сохраните заново" in row["reason"]
    issues = [i for i in data["issues"] if i["file"] == CRASH_NAME]
    assert [i["code"] for i in issues] == [Code.WORKER_CRASHED.value]

    # the workbook's «Файлы» and «Ошибки» say so too
    book = pc.CalamineWorkbook.from_path(str(out / "Свод.xlsx"))
    files = [r for r in book.get_sheet_by_name("Файлы").to_python() if CRASH_NAME in r]
    assert len(files) == 1 and "отклонен" in files[0] and row["reason"] in files[0]
    errors = [r for r in book.get_sheet_by_name("Ошибки").to_python() if CRASH_NAME in r]
    assert len(errors) == 1 and Code.WORKER_CRASHED.value in errors[0]

    # the deadly file was first in flight: its siblings held by the broken pool were checked alone and count
    assert alone[0] == CRASH_NAME and alone.count(CRASH_NAME) == 1 and len(alone) > 1
    statuses = {f["path"]: f["status"] for f in data["files"]}
    expected = {f["path"]: f["status"] for f in reference["files"]}
    for name in alone[1:]:
        assert statuses[name] == expected[name]
    assert sum(s == FileStatus.ACCEPTED.value for s in statuses.values()) >= len(alone) - 1

    # no crash is remembered: the cache has every other checked file and not the deadly one
    names = cached_names(out)
    assert CRASH_NAME not in names and "Замеры.xlsx" in names

    # so a re-run tries it again (and it dies again, alone) ...
    alone.clear()
    again = consolidate(inbox, out / "Свод.xlsx", as_of=AS_OF, json_output=out / "2.json", jobs=2)
    assert alone == [CRASH_NAME]
    crashed = [o for o in again.outcomes if o.entry.path.name == CRASH_NAME]
    assert crashed[0].status is FileStatus.REJECTED and crashed[0].issues[0].code is Code.WORKER_CRASHED
    assert not crashed[0].key
    assert CRASH_NAME not in cached_names(out)

    # ... and once the checking no longer dies on it, the file counts
    monkeypatch.setattr(collect, "_check_one", _real_check_one)
    fixed = consolidate(inbox, out / "Свод.xlsx", as_of=AS_OF, json_output=out / "3.json", jobs=2)
    assert CRASH_REGION in {r["region"] for r in fixed.summary.regions}
    assert next(o for o in fixed.outcomes if o.entry.path.name == CRASH_NAME).status is FileStatus.ACCEPTED
    assert CRASH_NAME in cached_names(out)


def test_a_single_changed_file_is_checked_in_a_worker_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          alone: list[str]) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    add_deadly_file(inbox)
    monkeypatch.setattr(collect, "_check_one", _dying_check_one)
    result = consolidate(inbox, out / "Свод.xlsx", as_of=AS_OF, jobs=2)
    assert [o.status for o in result.outcomes] == [FileStatus.REJECTED]
    assert result.outcomes[0].issues[0].code is Code.WORKER_CRASHED
    assert alone == [CRASH_NAME]


def test_workers_that_always_die_are_given_up_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                alone: list[str]) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(7):
        (inbox / f"Книга {n}.xlsx").write_bytes(f"книга {n}".encode())
    entries = list(scan_inbox(inbox, 100, 10**6))
    monkeypatch.setattr(collect, "_check_one", _killed_check_one)
    progress: list[int] = []
    outcomes = check_entries(entries, CheckSettings(default_programme(), AS_OF), jobs=2,
                             cache=ResultCache(tmp_path / "cache"), progress=progress.append)

    assert [o.entry.path.name for o in outcomes] == [e.path.name for e in entries]
    assert all(o.status is FileStatus.REJECTED and [i.code for i in o.issues] == [Code.WORKER_CRASHED]
               for o in outcomes)
    crashed = [o for o in outcomes if "сигнал SIGKILL: возможно, не хватило памяти" in o.reason]
    given_up = [o for o in outcomes if o.reason.startswith("Файл не проверен:")]
    # each file killed its process alone until five had in a row; the rest were not tried any more
    assert len(crashed) == collect.MAX_CRASHES_IN_A_ROW == len(alone)
    assert len(given_up) == 7 - collect.MAX_CRASHES_IN_A_ROW
    assert "5 раз подряд" in given_up[0].reason
    assert sum(progress) == 7
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


def _dying_once_check_one(args: tuple[Any, CheckSettings]) -> FileOutcome:
    """The first check of a deadly file dies (as under an outside kill), every later one lives."""
    entry = args[0]
    flag = entry.path.parent.parent / "died"
    if DEADLY in entry.path.name and not flag.exists():
        flag.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return _real_check_one(args)


def test_a_break_no_file_explains_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                alone: list[str]) -> None:
    build_inbox(tmp_path)
    inbox = tmp_path / "inbox"
    add_deadly_file(inbox)
    reference = consolidate(inbox, tmp_path / "ref" / "Свод.xlsx", as_of=AS_OF, jobs=1, use_cache=False)
    monkeypatch.setattr(collect, "_check_one", _dying_once_check_one)
    result = consolidate(inbox, tmp_path / "out" / "Свод.xlsx", as_of=AS_OF, jobs=2)
    assert (tmp_path / "died").exists() and alone[0] == CRASH_NAME
    assert result.summary.to_dict() == reference.summary.to_dict()
