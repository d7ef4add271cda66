"""Checking every file of an inbox (in parallel, with a cache), then deciding which files count."""

from __future__ import annotations

import copyreg
import datetime as dt
import gc
import hashlib
import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxexcel import __version__
from cxexcel.consolidate.answers import MEASUREMENTS_SHEET, AnswerDigest, digest_answers
from cxexcel.consolidate.inbox import FileStatus, InboxEntry
from cxexcel.forms import KINDS, Level, WorkbookKind
from cxexcel.issues import Code, Issue, make_issue
from cxexcel.programme import Programme
from cxexcel.read import DEFAULT_LIMITS, Limits
from cxexcel.validate import CheckedWorkbook, centre_key, check_file
from cxexcel.validate.checked import mark_error_rows
from cxexcel.validate.engine import internal_error_issue, sort_issues
from cxexcel.validate.rules.journey import journey_touchpoints


def _declared_kind(key: str) -> WorkbookKind:
    return KINDS[key]


def _reduce_kind(kind: WorkbookKind) -> str | tuple[Any, ...]:
    """A declared kind travels as its key. Every cached result and every result a worker sends back
    carried a copy of the whole declaration: a fifth of the cache, and of the time to load it."""
    if KINDS.get(kind.key) is kind:
        return (_declared_kind, (kind.key,))
    return kind.__reduce_ex__(4)


# registered for every pickler (a worker's results included), not only the cache's
copyreg.pickle(WorkbookKind, _reduce_kind)


@dataclass
class FileOutcome:
    """One inbox entry after checking: its workbook (answers folded) or why it does not count."""

    entry: InboxEntry
    workbook: CheckedWorkbook | None = None
    answers: AnswerDigest | None = None
    issues: list[Issue] = field(default_factory=list)
    status: FileStatus = FileStatus.ACCEPTED
    reason: str = ""
    # the file's content and the run's settings as one digest (its cache key); "" when the file was not hashed
    key: str = ""

    @property
    def kind(self) -> str | None:
        return self.workbook.kind.key if self.workbook else None


@dataclass(frozen=True)
class CheckSettings:
    programme: Programme
    as_of: dt.date | None
    limits: Limits = DEFAULT_LIMITS


def check_entry(entry: InboxEntry, settings: CheckSettings) -> FileOutcome:
    """Check one file on its own; runs in a worker process. Never raises: one file must not stop a summary."""
    if entry.skip_reason:
        return FileOutcome(entry, status=FileStatus.SKIPPED, reason=entry.skip_reason)
    try:
        return _check_entry(entry, settings)
    except Exception as error:
        issue = internal_error_issue(entry.path, error)
        return FileOutcome(entry, issues=[issue], status=FileStatus.REJECTED, reason=issue.message)


def _check_entry(entry: InboxEntry, settings: CheckSettings) -> FileOutcome:
    result = check_file(entry.path, programme=settings.programme, as_of=settings.as_of, limits=settings.limits)
    if result.workbook is None:
        assert result.unreadable is not None
        return FileOutcome(entry, issues=[result.unreadable], status=FileStatus.REJECTED,
                           reason=result.unreadable.message)
    wb = result.workbook
    mark_error_rows(wb)
    outcome = FileOutcome(entry, wb)
    if wb.kind.key == "measurements":
        outcome.answers = digest_answers(wb)
        # the answers live on in the digest; thousands of row objects would not fit in memory
        wb.tables[MEASUREMENTS_SHEET] = []
    outcome.issues = wb.issues
    return outcome


def _settings_key(settings: CheckSettings) -> str:
    """What, besides a file's content, decides its outcome (computed once per run, not per file)."""
    programme = settings.programme.model_dump_json()
    return hashlib.sha256(f"{__version__}|{settings.as_of}|{settings.limits}|{programme}".encode()).hexdigest()


def _cache_key(entry: InboxEntry, settings_key: str) -> str:
    return hashlib.sha256(f"{settings_key}|{entry.sha256}".encode()).hexdigest()


class ResultCache:
    """Parsed results by file content, so a re-run redoes only files that changed."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def load(self, key: str) -> FileOutcome | None:
        outcome = self._load(f"{key}.pickle")
        return outcome if isinstance(outcome, FileOutcome) else None

    def store(self, key: str, outcome: FileOutcome) -> None:
        if outcome.status is not FileStatus.SKIPPED:
            self._store(f"{key}.pickle", outcome)

    def load_rows(self, key: str) -> dict[str, list[dict[str, Any]]] | None:
        """A region's summary rows by list name, as store_rows left them."""
        rows = self._load(f"summary-{key}.pickle")
        if not isinstance(rows, dict) or not all(isinstance(v, list) for v in rows.values()):
            return None
        return rows

    def store_rows(self, key: str, rows: dict[str, list[dict[str, Any]]]) -> None:
        self._store(f"summary-{key}.pickle", rows)

    def _load(self, name: str) -> object:
        if self.folder is None:
            return None
        try:
            with (self.folder / name).open("rb") as fh:
                return pickle.load(fh)
        except Exception:
            return None  # missing, damaged or written by other code (a kind it names is gone): only a miss

    def _store(self, name: str, value: object) -> None:
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{name}.{os.getpid()}.tmp"
            with tmp.open("wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.folder / name)
        except OSError:
            pass  # a cache that cannot be written only costs time


def _check_one(args: tuple[InboxEntry, CheckSettings]) -> FileOutcome:
    """A worker's task. One file's objects all live until its outcome is sent back, so the cyclic
    collector only costs time here; it is switched off for the file and back on after it."""
    gc.disable()
    try:
        return check_entry(*args)
    finally:
        gc.enable()


def check_entries(
    entries: Sequence[InboxEntry],
    settings: CheckSettings,
    *,
    jobs: int,
    cache: ResultCache,
    progress: Callable[[int], None] | None = None,
) -> list[FileOutcome]:
    """Every entry's outcome, in the entries' order; cached outcomes are reused with their new path."""
    settings_key = _settings_key(settings)
    outcomes: list[FileOutcome | None] = [None] * len(entries)
    todo: list[int] = []
    keys: dict[int, str] = {}
    for i, entry in enumerate(entries):
        if entry.skip_reason:
            outcomes[i] = check_entry(entry, settings)
            continue
        if not entry.sha256:
            todo.append(i)  # not hashed (over the size limit): nothing to key a cached result by
            continue
        keys[i] = _cache_key(entry, settings_key)
        cached = cache.load(keys[i])
        if cached is not None:
            cached.entry = entry
            cached.key = keys[i]
            for n, issue in enumerate(cached.issues):
                if issue.file != str(entry.path):
                    cached.issues[n] = _moved(issue, entry.path)
            if cached.workbook is not None:
                cached.workbook.path = entry.path
                cached.workbook.issues = cached.issues
            outcomes[i] = cached
        else:
            todo.append(i)
    if progress:
        progress(len(entries) - len(todo))
    if jobs > 1 and len(todo) > 1:
        context = multiprocessing.get_context("spawn" if sys.platform == "win32" else "forkserver")
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context) as pool:
            results = pool.map(_check_one, [(entries[i], settings) for i in todo], chunksize=1)
            for i, outcome in zip(todo, results, strict=True):
                outcomes[i] = outcome
                if i in keys:
                    outcome.key = keys[i]
                    cache.store(keys[i], outcome)
                if progress:
                    progress(1)
    else:
        for i in todo:
            outcome = check_entry(entries[i], settings)
            outcomes[i] = outcome
            if i in keys:
                outcome.key = keys[i]
                cache.store(keys[i], outcome)
            if progress:
                progress(1)
    return [o for o in outcomes if o is not None]


def _moved(issue: Issue, path: Path) -> Issue:
    return Issue(issue.code, issue.severity, str(path), issue.sheet, issue.cell, issue.column, issue.value,
                 issue.message)


def unit_key(outcome: FileOutcome) -> tuple[str, str, str]:
    """(kind, region, centre) normalised: two files with one key are one submission twice."""
    wb = outcome.workbook
    assert wb is not None
    region, czn = wb.region or "", wb.czn or ""
    return (wb.kind.key, *centre_key(region, czn if wb.kind.level is Level.CZN else ""))


def attribute(outcomes: Sequence[FileOutcome]) -> None:
    """Reject what cannot be attributed to a region (or centre); supersede older duplicates."""
    for outcome in outcomes:
        wb = outcome.workbook
        if outcome.status is not FileStatus.ACCEPTED or wb is None:
            continue
        if wb.kind.level is not Level.FEDERAL and not wb.region:
            outcome.status = FileStatus.REJECTED
            outcome.reason = "не указан или неверно указан «Субъект РФ» на листе «Титул»"
        elif wb.kind.level is Level.CZN and not wb.czn:
            outcome.status = FileStatus.REJECTED
            outcome.reason = "не указано «Наименование ЦЗН» на листе «Титул»"
    groups: dict[tuple[str, str, str], list[FileOutcome]] = {}
    for outcome in outcomes:
        if outcome.status is FileStatus.ACCEPTED:
            groups.setdefault(unit_key(outcome), []).append(outcome)
    for group in groups.values():
        if len(group) < 2:
            continue

        def newest_first(o: FileOutcome) -> tuple[dt.date, float, str]:
            wb = o.workbook
            assert wb is not None
            return (wb.report_date or dt.date.min, o.entry.mtime, o.entry.relative)

        group.sort(key=newest_first, reverse=True)
        kept = group[0]
        kept_date = kept.workbook.report_date if kept.workbook else None
        for older in group[1:]:
            older.status = FileStatus.SUPERSEDED
            when = f"отчетная дата {kept_date:%d.%m.%Y}" if kept_date else "более поздний файл"
            older.reason = f"заменен файлом {kept.entry.relative} ({when})"


def cross_check_touchpoints(outcomes: Sequence[FileOutcome]) -> None:
    """Answers at a touchpoint the centre's journey does not have are reported and not counted."""
    journeys: dict[tuple[str, str], tuple[CheckedWorkbook, dict[str, str]]] = {}
    for outcome in outcomes:
        wb = outcome.workbook
        if outcome.status is FileStatus.ACCEPTED and wb is not None and wb.kind.key == "journey":
            journeys[centre_key(wb.region or "", wb.czn or "")] = (wb, journey_touchpoints(wb))
    for outcome in outcomes:
        wb, digest = outcome.workbook, outcome.answers
        if outcome.status is not FileStatus.ACCEPTED or wb is None or digest is None:
            continue
        found = journeys.get(centre_key(wb.region or "", wb.czn or ""))
        if found is None:
            continue
        journey, known = found
        for key in sorted(set(digest.touchpoints) - set(known)):
            tp = digest.touchpoints.pop(key)
            for row in tp.rows:
                cell = f"{digest.code_column}{row}" if digest.code_column else None
                outcome.issues.append(make_issue(
                    Code.TOUCHPOINT_UNKNOWN, str(outcome.entry.path),
                    f"Лист «{digest.sheet}», ячейка {cell}, «Код точки контакта»: точки контакта "
                    f"«{tp.code}» нет в пути клиента этого ЦЗН (файл {journey.path.name}); "
                    "ответ не учтен в своде.",
                    sheet=digest.sheet, cell=cell, column="Код точки контакта", value=tp.code,
                ))
        sort_issues(wb)
