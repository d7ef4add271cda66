"""Checking every file of an inbox (in parallel, with a cache), then deciding which files count."""

from __future__ import annotations

import contextlib
import copyreg
import datetime as dt
import difflib
import functools
import gc
import hashlib
import importlib.metadata
import os
import pickle
import re
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, fields
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from cxexcel import __version__
from cxexcel.consolidate.answers import MEASUREMENTS_SHEET, AnswerDigest, digest_answers
from cxexcel.consolidate.inbox import FileStatus, InboxEntry
from cxexcel.forms import KINDS, Level, WorkbookKind, catalog, title_fields
from cxexcel.issues import Code, Issue, make_issue
from cxexcel.programme import Programme
from cxexcel.read import DEFAULT_LIMITS, Limits
from cxexcel.read.normalize import normalize_name, normalize_unit_name
from cxexcel.validate import CheckedWorkbook, centre_key, check_file
from cxexcel.validate.checked import TableRecords, mark_error_rows
from cxexcel.validate.engine import internal_error_issue, sort_issues
from cxexcel.validate.report_date import check_report_date, plausible_report_date
from cxexcel.validate.rules.journey import journey_touchpoints
from cxexcel.workers import pool_context


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

    def journey_keys(self) -> frozenset[str]:
        """A journey workbook's touchpoints (normalised codes)."""
        assert self.workbook is not None
        return frozenset(journey_touchpoints(self.workbook))

    def answered_keys(self) -> frozenset[str] | None:
        """The touchpoints the answer digest holds (normalised codes); None without a digest."""
        return None if self.answers is None else frozenset(self.answers.touchpoints)


class CachedBodyLost(Exception):
    """A cached outcome's body could not be read back (damaged, or its file replaced or removed since its
    head was read). `consolidate` then checks such files again rather than use anything of them."""


class _Body:
    """Where a cached outcome's body lies (in its cache file, after the head) until it is first needed:
    the workbook's tables and the answer digest, nine tenths of the bytes, which a re-run reads only for
    the regions it computes again."""

    __slots__ = ("digest", "offset", "path", "size", "value")

    def __init__(self, path: Path, offset: int, size: int, digest: bytes) -> None:
        self.path, self.offset, self.size, self.digest = path, offset, size, digest
        self.value: tuple[TableRecords | None, AnswerDigest | None] | None = None

    def get(self) -> tuple[TableRecords | None, AnswerDigest | None]:
        if self.value is None:
            self.value = self._read()
        return self.value

    def _read(self) -> tuple[TableRecords | None, AnswerDigest | None]:
        try:
            with self.path.open("rb") as fh:
                fh.seek(self.offset)
                data = fh.read(self.size + 1)
            # the digest, not only the length: a flipped byte in an array of answers unpickles without error
            if len(data) != self.size or _body_digest(data) != self.digest:
                raise CachedBodyLost(f"{self.path}: the body does not match its head")
            tables, answers = pickle.loads(data)
        except CachedBodyLost:
            raise
        except Exception as error:
            raise CachedBodyLost(f"{self.path}: {error!r}") from error
        if not (tables is None or isinstance(tables, TableRecords)) or \
                not (answers is None or isinstance(answers, AnswerDigest)):
            raise CachedBodyLost(f"{self.path}: the body holds something else")
        return tables, answers


def _body_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class _CachedWorkbook(CheckedWorkbook):
    """A cached outcome's workbook: everything but its tables at once, the tables on first use."""

    _tables: TableRecords
    _body: _Body | None

    @property
    def tables(self) -> TableRecords:
        body = self.__dict__.get("_body")
        if body is not None:
            tables = body.get()[0]
            if tables is None:
                raise CachedBodyLost(f"{body.path}: the body has no tables")
            self._tables, self._body = tables, None
        try:
            found: TableRecords = self.__dict__["_tables"]
        except KeyError:
            raise CachedBodyLost("a cached workbook read without its body") from None
        return found

    @tables.setter
    def tables(self, value: TableRecords) -> None:
        self._tables, self._body = value, None

    def __getstate__(self) -> dict[str, Any]:
        # the head only: the tables are the body's; the path is set at load (that of the current scan)
        return {k: v for k, v in self.__dict__.items() if k not in ("_tables", "_body", "path")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @classmethod
    def head_of(cls, wb: CheckedWorkbook) -> _CachedWorkbook:
        return cls(**{f.name: getattr(wb, f.name) for f in fields(wb) if f.init})


@dataclass
class _StoredEntry:
    """What a cache entry keeps of the inbox entry it was made from: where the file was, relative to its inbox."""

    relative: str

    @property
    def path(self) -> Path:
        return Path(self.relative)


class _CachedOutcome(FileOutcome):
    """An outcome read back from the cache: its head (what attribution, the journey cross-check, the
    summary's «Файлы» and «Ошибки» and the region keys read) at once, its body on first use. A region
    whose rows are reused never reads the bodies of its files.

    The touchpoints of a journey and of an answer digest are kept in the head: the cross-check compares
    them for every centre and needs a body only when a measurement has a touchpoint its journey lacks."""

    body_size: int = 0
    body_digest: bytes = b""
    stored_journey_keys: frozenset[str] | None = None
    stored_answered_keys: frozenset[str] | None = None
    _answers: AnswerDigest | None
    _body: _Body | None

    @property
    def answers(self) -> AnswerDigest | None:
        body = self.__dict__.get("_body")
        if body is not None:
            self._answers, self._body = body.get()[1], None
        found: AnswerDigest | None = self.__dict__.get("_answers")
        return found

    @answers.setter
    def answers(self, value: AnswerDigest | None) -> None:
        self._answers, self._body = value, None

    def journey_keys(self) -> frozenset[str]:
        if self.stored_journey_keys is not None:
            return self.stored_journey_keys
        return super().journey_keys()

    def answered_keys(self) -> frozenset[str] | None:
        # the digest once it is read: the cross-check removes touchpoints from it
        if self.__dict__.get("_body") is None:
            return super().answered_keys()
        return self.stored_answered_keys

    def bind(self, path: Path, offset: int, file_size: int) -> bool:
        """Point the head at its body in `path` (from `offset`); False when the head cannot be trusted."""
        wb = self.workbook
        if file_size != offset + self.body_size or not (wb is None or isinstance(wb, _CachedWorkbook)):
            return False
        if self.body_size:
            body = _Body(path, offset, self.body_size, self.body_digest)
            self._body = body
            if wb is not None:
                wb._body = body
        elif wb is not None:
            return False  # a workbook always has a body (its tables)
        return True

    def load_body(self) -> None:
        """Read the body now (CachedBodyLost if it cannot be)."""
        _ = self.answers
        if self.workbook is not None:
            _ = self.workbook.tables

    def __getstate__(self) -> dict[str, Any]:
        # the entry is set at load (the current scan's): a whole one, its absolute Path above all, was two
        # thirds of the time to read a head back. What is kept names the file for whoever looks into the cache.
        state = {k: v for k, v in self.__dict__.items() if k not in ("_answers", "_body")}
        state["entry"] = _StoredEntry(self.entry.relative)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def _stored(outcome: FileOutcome) -> bytes:
    """A cache entry: the outcome's head (a `_CachedOutcome`, one pickle), then its body (a second pickle,
    read only when needed, from the offset where the head ends)."""
    wb = outcome.workbook
    answers = outcome.answers
    body = b"" if wb is None and answers is None else \
        pickle.dumps((wb.tables if wb is not None else None, answers), protocol=pickle.HIGHEST_PROTOCOL)
    head = _CachedOutcome(outcome.entry, _CachedWorkbook.head_of(wb) if wb is not None else None, None,
                          outcome.issues, outcome.status, outcome.reason, outcome.key)
    head.body_size, head.body_digest = len(body), _body_digest(body)
    # after the body is pickled: reading a journey's records makes them from its columns
    head.stored_journey_keys = outcome.journey_keys() if outcome.kind == "journey" else None
    head.stored_answered_keys = outcome.answered_keys()
    return pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL) + body


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
        if result.unreadable.code is Code.FILE_IS_SUMMARY:
            # a summary left among the inputs (an earlier run's output) is no region's error
            return FileOutcome(entry, status=FileStatus.SKIPPED, reason=result.unreadable.message)
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


# What a cache entry holds and how (part of every key): entries of another format are never looked up, so
# they are only misses, and are pruned with the unused ones. 2: a head, then the body it points to. 3: the
# same, but a summary among the inputs is a skipped outcome (it was a rejected one). 4: messages and values
# quote numbers with a decimal comma. 5: centre names are matched with no white space, and a region's cached
# rows carry the medians' n and the tools' small samples (those rows are keyed by their files' keys, so rows
# computed by the code before would otherwise be reused). 6: every key carries the digest of the code itself
# (code_fingerprint), so that no change of a rule can leave its old verdicts in the cache.
# (The version is in every key too; this says what changed between two.)
CACHE_FORMAT = 6


@functools.cache
def code_fingerprint() -> str:
    """A digest of cxexcel's own modules. The version alone does not tell two builds apart (a fix installed
    from a newer checkout keeps it), and an outcome cached by other code may carry verdicts that code no longer
    gives; read once per run (the package is about 1 MB)."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _installed_version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _settings_key(settings: CheckSettings) -> str:
    """What, besides a file's content, decides its outcome (computed once per run, not per file)."""
    programme = settings.programme.model_dump_json()
    # the reader decides what a file holds as much as our code does: another python-calamine, another key
    reader = _installed_version("python-calamine")
    text = (f"{CACHE_FORMAT}|{__version__}|{code_fingerprint()}|{reader}|{settings.as_of}|{settings.limits}|"
            f"{programme}")
    return hashlib.sha256(text.encode()).hexdigest()


def _cache_key(entry: InboxEntry, settings_key: str) -> str:
    return hashlib.sha256(f"{settings_key}|{entry.sha256}".encode()).hexdigest()


# A cache entry no run has used for this long is removed: files of past monitoring rounds are resubmitted
# as new content, and without pruning the folder would grow by the inbox's size every round.
CACHE_KEEP_DAYS = 60
# an entry used by a run is touched at most once a day, so a re-run does not rewrite thousands of dates
_TOUCH_AFTER_S = 24 * 3600
# a temporary file this old is a leftover of a run that was killed while storing an entry
_STALE_TEMPORARY_S = 3600


class ResultCache:
    """Parsed results by file content, so a re-run redoes only files that changed."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        # entries this run read or wrote: kept (and their dates refreshed) by `prune`
        self.used: set[str] = set()
        # read every body with its head, a body that cannot be read making the entry a miss (after a body
        # failed to load on first use: then nothing is left to fail later)
        self.eager = False

    def load(self, key: str, entry: InboxEntry) -> FileOutcome | None:
        """The outcome stored under `key`, of `entry` (the file may have moved since): its head now, its body
        when first used (or now if `eager`)."""
        if self.folder is None:
            return None
        name = f"{key}.pickle"
        path = self.folder / name
        try:
            with path.open("rb") as fh:
                head = pickle.load(fh)
                offset = fh.tell()
                size = os.fstat(fh.fileno()).st_size
        except Exception:
            return None  # missing, damaged or written by other code (a kind it names is gone): only a miss
        if not isinstance(head, _CachedOutcome) or not head.bind(path, offset, size):
            return None
        if self.eager:
            try:
                head.load_body()
            except CachedBodyLost:
                return None
        self.used.add(name)
        head.entry, head.key = entry, key
        for n, issue in enumerate(head.issues):
            if issue.file != str(entry.path):
                head.issues[n] = _moved(issue, entry.path)
        if head.workbook is not None:
            head.workbook.path = entry.path
            head.workbook.issues = head.issues
        return head

    def store(self, key: str, outcome: FileOutcome) -> None:
        # a file skipped for its name costs nothing to skip again; a summary skipped for its sheets is kept
        if not outcome.entry.skip_reason and self.folder is not None:
            self._write(f"{key}.pickle", _stored(outcome))

    def load_rows(self, key: str) -> dict[str, list[dict[str, Any]]] | None:
        """A region's summary rows by list name, as store_rows left them."""
        rows = self._load(f"summary-{key}.pickle")
        if not isinstance(rows, dict) or not all(isinstance(v, list) for v in rows.values()):
            return None
        return rows

    def store_rows(self, key: str, rows: dict[str, list[dict[str, Any]]]) -> None:
        if self.folder is not None:
            self._write(f"summary-{key}.pickle", pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))

    def _load(self, name: str) -> object:
        if self.folder is None:
            return None
        try:
            with (self.folder / name).open("rb") as fh:
                value = pickle.load(fh)
        except Exception:
            return None  # missing, damaged or written by other code (a kind it names is gone): only a miss
        self.used.add(name)
        return value

    def _write(self, name: str, data: bytes) -> None:
        assert self.folder is not None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{name}.{os.getpid()}.tmp"
            tmp.write_bytes(data)
            os.replace(tmp, self.folder / name)
            self.used.add(name)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def prune(self, keep_days: float = CACHE_KEEP_DAYS, now: float | None = None) -> int:
        """Remove the entries no run has used for `keep_days` and leftover temporaries; refresh the dates
        of the entries this run used. Returns how many files were removed."""
        if self.folder is None:
            return 0
        now = time.time() if now is None else now
        removed = 0
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return 0
        for entry in entries:
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                age = now - entry.stat(follow_symlinks=False).st_mtime
                if entry.name in self.used:
                    if age > _TOUCH_AFTER_S:
                        os.utime(entry.path, (now, now))
                elif (entry.name.endswith(".tmp") and age > _STALE_TEMPORARY_S) or (
                        entry.name.endswith(".pickle") and age > keep_days * 24 * 3600):
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                continue  # another run removed or replaced it meanwhile: nothing to do
        return removed


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
    """Every entry's outcome, in the entries' order; cached outcomes are reused with their new path.

    With jobs > 1 files are checked in worker processes, and a worker that dies on a file costs that file
    only (`_PooledCheck`); with jobs = 1 they are checked in this process, where nothing can survive a native
    crash of a reader."""
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
        cached = cache.load(keys[i], entry)
        if cached is not None:
            outcomes[i] = cached
        else:
            todo.append(i)
    if progress:
        progress(len(entries) - len(todo))
    sink = _Sink(outcomes, keys, cache, progress)
    if jobs > 1 and todo:
        # even a single changed file goes to a worker: in this process a native crash would end the run.
        # The task is looked up here, not bound at import, so that a test can hand the workers one that dies.
        _PooledCheck(entries, settings, sink, _check_one).run(todo, jobs)
    else:
        for i in todo:
            sink(i, check_entry(entries[i], settings))
    return [o for o in outcomes if o is not None]


@dataclass
class _Sink:
    """Where a checked file's outcome goes: its slot, the cache, the progress count."""

    outcomes: list[FileOutcome | None]
    keys: dict[int, str]
    cache: ResultCache
    progress: Callable[[int], None] | None

    def __call__(self, i: int, outcome: FileOutcome, *, cache: bool = True) -> None:
        self.outcomes[i] = outcome
        # an outcome that says how the checking went rather than what the file holds (a dead worker, a result
        # that could not travel back) is neither cached nor keyed: a re-run checks the file again, and a
        # region's cached rows are never taken for a file that was not counted only this time
        if cache and i in self.keys:
            outcome.key = self.keys[i]
            self.cache.store(self.keys[i], outcome)
        if self.progress:
            self.progress(1)


Task = Callable[[tuple[InboxEntry, CheckSettings]], FileOutcome]

# A pool holds at most this many files per worker: enough that no worker waits for its next file, few enough
# that the files in flight when a worker dies can each be checked again alone at little cost.
FILES_IN_FLIGHT_PER_WORKER = 2
# Workers that keep dying point at the machine (no memory, an outside killer), not at a file. After this many
# deaths checking a file alone with no file checked in between, or this many breaks of the pool that no file
# explains, the files left are reported as not checked rather than tried again and again.
MAX_CRASHES_IN_A_ROW = 5
MAX_UNEXPLAINED_BREAKS = 8


class _PooledCheck:
    """Files checked in worker processes so that a worker's death costs one file, not the summary.

    A worker that dies (a native abort in python-calamine, the OOM killer, a kill from outside) breaks its
    whole pool, and every file the pool held fails with it. The results already in are kept; the files that
    were in flight are checked again one at a time in a process of their own, so the file that kills it is
    known exactly and rejected (`worker-crashed`) while its siblings count; a fresh pool takes the rest.
    A break that no file explains when checked alone (memory shared by too many workers) halves the pool."""

    def __init__(self, entries: Sequence[InboxEntry], settings: CheckSettings, sink: _Sink, task: Task) -> None:
        self.entries, self.settings, self.sink, self.task = entries, settings, sink, task
        self.context = pool_context()
        self.pending: deque[int] = deque()
        self.crashes_in_a_row = 0
        self.unexplained_breaks = 0

    def run(self, todo: Iterable[int], jobs: int) -> None:
        self.pending.extend(todo)
        workers = jobs
        while self.pending:
            suspects = self._pool(min(workers, len(self.pending)))
            if suspects is None:
                continue  # every pending file went through: the loop ends
            culprits = self._alone(suspects)
            if self.crashes_in_a_row >= MAX_CRASHES_IN_A_ROW:
                self._give_up(f"рабочие процессы проверки аварийно завершились {self.crashes_in_a_row} раз подряд")
            elif not culprits:
                self.unexplained_breaks += 1
                if self.unexplained_breaks >= MAX_UNEXPLAINED_BREAKS:
                    self._give_up(f"рабочие процессы проверки аварийно завершались {self.unexplained_breaks} раз, "
                                  "и ни один файл, проверенный отдельно, не оказался причиной")
                workers = max(1, workers // 2)

    def _pool(self, workers: int) -> list[int] | None:
        """Check pending files in one pool: None when none is left, or the files it held when it broke."""
        running: dict[Future[FileOutcome], int] = {}
        with ProcessPoolExecutor(max_workers=workers, mp_context=self.context) as pool:
            while self.pending or running:
                broke = False
                try:
                    while self.pending and len(running) < FILES_IN_FLIGHT_PER_WORKER * workers:
                        i = self.pending[0]
                        running[pool.submit(self.task, (self.entries[i], self.settings))] = i
                        self.pending.popleft()
                except BrokenProcessPool:
                    broke = True  # a worker died since the last wait: the pool takes nothing more
                done, _ = wait(running, return_when=FIRST_COMPLETED) if running else (set(), set())
                suspects = self._take(done, running)
                if broke or suspects:
                    # a broken pool fails every file it still holds, some of which may have been sent back
                    # already: wait for them all, so none is lost and none is checked twice
                    done, _ = wait(running)
                    return sorted(suspects + self._take(done, running))
        return None

    def _take(self, done: Iterable[Future[FileOutcome]], running: dict[Future[FileOutcome], int]) -> list[int]:
        """Hand the finished files' outcomes on; the files the pool's breaking took with it."""
        broken = []
        for future in done:
            i = running.pop(future)
            try:
                outcome = future.result()
            except BrokenProcessPool:
                broken.append(i)
                continue
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as error:  # a result that could not travel back, a Rust panic: this file's
                self.sink(i, _failed(self.entries[i], internal_error_issue(self.entries[i].path, error)), cache=False)
                continue
            self.crashes_in_a_row = 0
            self.sink(i, outcome)
        return broken

    def _alone(self, suspects: list[int]) -> int:
        """Check each file once more, alone; how many killed their process (those are rejected)."""
        culprits = 0
        worker = _AloneWorker(self.context)
        try:
            for n, i in enumerate(suspects):
                if self.crashes_in_a_row >= MAX_CRASHES_IN_A_ROW:
                    self.pending.extendleft(reversed(suspects[n:]))  # reported with the rest as not checked
                    break
                result = worker.check(self.task, (self.entries[i], self.settings))
                if isinstance(result, FileOutcome):
                    self.crashes_in_a_row = 0
                    self.sink(i, result)
                else:
                    culprits += 1
                    self.crashes_in_a_row += 1
                    self.sink(i, _crashed(self.entries[i], result), cache=False)
        finally:
            worker.close()
        return culprits

    def _give_up(self, why: str) -> None:
        while self.pending:
            i = self.pending.popleft()
            self.sink(i, _not_checked(self.entries[i], why), cache=False)


class _AloneWorker:
    """A process that checks one file at a time, so that a file whose check kills it is known exactly (and
    how it died: a pool does not say); after a death the next file gets a new process."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.process: Any = None
        self.conn: Connection | None = None

    def check(self, task: Task, args: tuple[InboxEntry, CheckSettings]) -> FileOutcome | int:
        """The file's outcome, or the exit code of the process its check killed."""
        if self.process is None or self.conn is None:
            self.conn, child = self.context.Pipe()
            self.process = self.context.Process(target=_serve_alone, args=(child,), daemon=True)
            self.process.start()
            child.close()  # only the child holds its end now: its death is an EOF here
        try:
            self.conn.send((task, args))
            result = self.conn.recv()
        except (EOFError, OSError):
            self.conn.close()
            self.process.join()
            code: int = self.process.exitcode
            self.process, self.conn = None, None
            return code
        assert isinstance(result, FileOutcome)
        return result

    def close(self) -> None:
        if self.process is None or self.conn is None:
            return
        with contextlib.suppress(OSError):  # it died meanwhile: nothing to tell it
            self.conn.send(None)
        self.conn.close()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.process, self.conn = None, None


def _serve_alone(conn: Connection) -> None:
    """The loop of an `_AloneWorker`'s process: a file in, its outcome out, until told to stop."""
    while (job := conn.recv()) is not None:
        task, (entry, settings) = job
        try:
            outcome = task((entry, settings))
            conn.send(outcome)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # what a pool would send back as this file's exception
            conn.send(_failed(entry, internal_error_issue(entry.path, error)))


def _failed(entry: InboxEntry, issue: Issue) -> FileOutcome:
    return FileOutcome(entry, issues=[issue], status=FileStatus.REJECTED, reason=issue.message)


def _worker_crashed(entry: InboxEntry, message: str) -> FileOutcome:
    return _failed(entry, make_issue(Code.WORKER_CRASHED, str(entry.path), message))


def _crashed(entry: InboxEntry, exitcode: int) -> FileOutcome:
    return _worker_crashed(
        entry,
        f"Проверка этого файла аварийно завершила рабочий процесс ({_how_it_died(exitcode)}). Файл не учтен "
        "в своде; откройте его в Excel, сохраните заново и пришлите еще раз; если повторится — сообщите "
        "разработчикам, приложив файл.",
    )


def _how_it_died(exitcode: int) -> str:
    if exitcode >= 0:
        return f"код завершения {exitcode}"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = str(-exitcode)
    # SIGKILL is what the OOM killer sends (and there is no SIGKILL on Windows)
    memory = -exitcode == getattr(signal, "SIGKILL", None)
    return f"сигнал {name}" + (": возможно, не хватило памяти" if memory else "")


def _not_checked(entry: InboxEntry, why: str) -> FileOutcome:
    return _worker_crashed(
        entry,
        f"Файл не проверен: {why}. Похоже, на компьютере не хватает памяти или процессы проверки завершает "
        "другая программа. Файл не учтен в своде; запустите свод еще раз (при нехватке памяти — с меньшим "
        "числом процессов, --jobs).",
    )


def _moved(issue: Issue, path: Path) -> Issue:
    return Issue(issue.code, issue.severity, str(path), issue.sheet, issue.cell, issue.column, issue.value,
                 issue.message)


def unit_key(outcome: FileOutcome) -> tuple[str, str, str]:
    """(kind, region, centre) normalised: two files with one key are one submission twice."""
    wb = outcome.workbook
    assert wb is not None
    region, czn = wb.region or "", wb.czn or ""
    return (wb.kind.key, *centre_key(region, czn if wb.kind.level is Level.CZN else ""))


def attribute(outcomes: Sequence[FileOutcome], today: dt.date | None = None) -> None:
    """Reject what cannot be attributed to a region (or centre); supersede older duplicates.

    A report date after `today` is a typo (report-date-future): it does not make its file the newest, or a
    year mistyped as 2031 would push aside the region's correct file."""
    today = today or dt.date.today()
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

    def report_date(o: FileOutcome) -> dt.date | None:
        assert o.workbook is not None
        return plausible_report_date(o.workbook.report_date, today)

    def newest_first(o: FileOutcome) -> tuple[dt.date, float, str]:
        return (report_date(o) or dt.date.min, o.entry.mtime, o.entry.relative)

    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=newest_first, reverse=True)
        kept = group[0]
        for older in group[1:]:
            older.status = FileStatus.SUPERSEDED
            if older.entry.sha256 and older.entry.sha256 == kept.entry.sha256:
                # the same file twice (sent again, saved in two folders): nothing was replaced
                older.reason = f"такой же файл, как {kept.entry.relative} (совпадает побайтно); учтен один раз"
                continue
            older.reason = f"заменен файлом {kept.entry.relative} ({_why_kept(kept, older, report_date)})"
            own = older.workbook.report_date if older.workbook else None
            if own is not None and own > today:
                older.reason += (f"; его собственная отчетная дата {own:%d.%m.%Y} позже сегодняшней и при выборе "
                                 "файла не учитывалась")


def _why_kept(kept: FileOutcome, older: FileOutcome, report_date: Callable[[FileOutcome], dt.date | None]) -> str:
    """Why `kept` counts instead of `older`, as `attribute` chose: a later report date, else the later saved
    file, else the name; a choice that is not the report date says how to make the other count."""
    kept_date, older_date = report_date(kept), report_date(older)
    if kept_date is not None and (older_date is None or kept_date > older_date):
        missing = older.workbook is not None and older.workbook.report_date is None
        return f"отчетная дата {kept_date:%d.%m.%Y}" + ("; в этом файле она не указана" if missing else "")
    # a date after today counts as none (report-date-future), so «not given» would be untrue of such a file
    same = f"отчетная дата у обоих {kept_date:%d.%m.%Y}" if kept_date else \
        "ни в одном нет отчетной даты, которую можно учесть"
    if kept.entry.mtime != older.entry.mtime:
        saved = dt.datetime.fromtimestamp(kept.entry.mtime).strftime("%d.%m.%Y %H:%M")
        return f"{same}; учтен файл, сохраненный позже ({saved}); если учесть нужно этот, уберите другой из папки"
    return (f"{same}, оба сохранены в одно время; учтен последний по имени; если учесть нужно этот, уберите "
            "другой из папки")


def check_report_dates(outcomes: Sequence[FileOutcome], programme: Programme, today: dt.date) -> None:
    """The day-dependent check of each «Отчетная дата» (validate.report_date): after the cache, so a date that
    was in the future when its file was first checked is not still reported once that day has come."""
    for outcome in outcomes:
        if outcome.workbook is not None:
            check_report_date(outcome.workbook, programme, today)


_REGION_BY_NAME = {normalize_name(region): region for region in catalog.REGIONS}


def folder_regions(relative: str) -> list[str]:
    """The regions (official names) whose names the folders of an inbox path spell, outermost first."""
    return [_REGION_BY_NAME[key] for part in Path(relative).parts[:-1]
            if (key := normalize_name(part)) in _REGION_BY_NAME]


def check_region_folders(outcomes: Sequence[FileOutcome]) -> None:
    """A file inside a folder named after one region whose «Титул» names another: most often a region's data
    filled into a copy of another region's workbook, which would count for (and may supersede the file of)
    that other region. A warning, after the cache: a file's folder is not part of its content."""
    for outcome in outcomes:
        wb = outcome.workbook
        if wb is None or not wb.region or wb.kind.level is Level.FEDERAL:
            continue
        folders = folder_regions(outcome.entry.relative)
        if not folders or normalize_name(wb.region) in {normalize_name(f) for f in folders}:
            continue
        folder = folders[-1]
        field = next(f.title for f in title_fields(wb.kind) if f.key == "region")
        wb.add(Code.REGION_FOLDER_MISMATCH,
               f"Файл лежит в папке «{folder}», а на листе «{wb.sheet_name(catalog.TITLE_SHEET)}» указано "
               f"«{field}»: «{wb.region}»; его данные учтены для «{wb.region}». Если это файл субъекта «{folder}», "
               f"исправьте «{field}».",
               sheet=wb.sheet_name(catalog.TITLE_SHEET), cell=wb.title_cells.get("region"), column=field,
               value=wb.region)


def cross_check_touchpoints(outcomes: Sequence[FileOutcome]) -> None:
    """Answers at a touchpoint the centre's journey does not have are reported and not counted; measurements
    of a centre without a journey are warned about (`centre-without-journey`). After attribution and the
    cache: both depend on which other files count."""
    # by touchpoint keys, which a cached outcome's head holds: a body is read only for a file whose answers
    # name a touchpoint its journey lacks
    journeys: dict[tuple[str, str], tuple[CheckedWorkbook, frozenset[str]]] = {}
    for outcome in outcomes:
        wb = outcome.workbook
        if outcome.status is FileStatus.ACCEPTED and wb is not None and wb.kind.key == "journey":
            journeys[centre_key(wb.region or "", wb.czn or "")] = (wb, outcome.journey_keys())
    for outcome in outcomes:
        wb = outcome.workbook
        if outcome.status is not FileStatus.ACCEPTED or wb is None:
            continue
        answered = outcome.answered_keys()
        if answered is None:
            continue
        found = journeys.get(centre_key(wb.region or "", wb.czn or ""))
        if found is None:
            if wb.kind.key == "measurements":
                _warn_centre_without_journey(wb, [j for j, _ in journeys.values()])
                sort_issues(wb)
            continue
        journey, known = found
        if not answered <= known:
            _drop_unknown_touchpoints(outcome, journey, known)
        sort_issues(wb)


# spellings of one centre's name that the matching of FORMS.md §2 keeps apart, made alike only to find the
# journey whose name is most similar: «Центр занятости населения» and «ЦЗН», «города» and «г.»
_SPELLINGS = (
    (re.compile(r"\bцентр[а-я]* занятости населения\b"), "цзн"),
    (re.compile(r"\bгород[а-я]*\b"), "г"),
    (re.compile(r"\bрайон[а-я]*\b"), "р-н"),
)
# similarity (difflib's ratio of the names so made alike, white space and dots dropped) from which a journey's
# centre is named as the likely one: «г. Курска» and «города Курска» are 1.0, «г. Курска» and «г.Курская» 0.97,
# two towns of a region («г. Мурманска», «г. Апатиты») 0.63, two districts («Ленинского», «Кировского») 0.75
SIMILAR_CENTRE = 0.8


def _alike(name: str) -> str:
    text = normalize_name(name)
    for pattern, short in _SPELLINGS:
        text = pattern.sub(short, text)
    return text.replace(" ", "").replace(".", "")


def similar_centre(czn: str, names: Iterable[str]) -> str | None:
    """The name among `names` most like `czn` (as it is spelled there), if one is alike enough."""
    by_form: dict[str, str] = {}
    for name in sorted(names):
        by_form.setdefault(_alike(name), name)
    found = difflib.get_close_matches(_alike(czn), sorted(by_form), n=1, cutoff=SIMILAR_CENTRE)
    return by_form[found[0]] if found else None


def _warn_centre_without_journey(wb: CheckedWorkbook, journeys: Iterable[CheckedWorkbook]) -> None:
    """Measurements with no accepted journey of their region and centre: their touchpoint codes were checked
    against nothing, and if the journey names the centre otherwise, the summary counts it as two (FORMS.md §2)."""
    region = normalize_unit_name(wb.region or "")
    names = {j.czn for j in journeys if j.czn and normalize_unit_name(j.region or "") == region}
    field = next(f.title for f in title_fields(wb.kind) if f.key == "czn")
    message = (f"Замеры ЦЗН «{wb.czn}»: среди принятых файлов субъекта «{wb.region}» нет пути клиента этого ЦЗН; "
               "коды точек контакта в замерах не сверены с путем клиента.")
    similar = similar_centre(wb.czn or "", names)
    if similar is not None:
        message += (f" Похожее название в пути клиента: «{similar}» — если это тот же ЦЗН, сверьте «{field}» "
                    "в обоих файлах.")
    else:
        message += f" Пришлите путь клиента этого ЦЗН или сверьте «{field}» с путем клиента."
    wb.add(Code.CENTRE_WITHOUT_JOURNEY, message, sheet=wb.sheet_name(catalog.TITLE_SHEET),
           cell=wb.title_cells.get("czn"), column=field, value=wb.czn)


def _drop_unknown_touchpoints(outcome: FileOutcome, journey: CheckedWorkbook, known: frozenset[str]) -> None:
    digest = outcome.answers
    assert digest is not None
    for key in sorted(set(digest.touchpoints) - known):
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
