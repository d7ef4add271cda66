"""Test harness: a headless LibreOffice Calc opens, fills, recalculates, saves files. PYTEST_DONT_REWRITE"""

# Usage in a test module (the plugin line gives the `lo` fixture and the `libreoffice` marker;
# a conftest.py may declare it instead):
#
#     pytest_plugins = ["libreoffice"]
#
#     def test_totals(lo, tmp_path):
#         lo.fill_rows(src, tmp_path / "filled.xlsx", "Замеры", 2, [["a", 1, date(2024, 1, 2)]])
#         assert lo.recalc_read(tmp_path / "filled.xlsx", "Итоги", "B2") == [[1.0]]
#
# The venv cannot import uno, so the UNO side lives in tests/lo_worker.py, run by the system
# python3 that has python3-uno; it stays up for the whole session and takes JSON-line requests.

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import json
import locale
import os
import posixpath
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote

import pytest
from defusedxml.ElementTree import ParseError, fromstring

__all__ = [
    "FILTERS",
    "Formula",
    "LibreOffice",
    "LibreOfficeCrashed",
    "LibreOfficeError",
    "LibreOfficeLoadError",
    "LibreOfficeTimeout",
    "OpenReport",
    "check_package",
    "find_soffice",
    "find_uno_python",
    "libreoffice_available",
    "lo",
    "require_libreoffice",
    "shared_libreoffice",
    "unavailable_reason",
]

WORKER = Path(__file__).with_name("lo_worker.py")
XLSX_FILTER = "Calc MS Excel 2007 XML"

# file extension -> (LibreOffice export filter, filter options)
FILTERS: dict[str, tuple[str, str | None]] = {
    "xlsx": (XLSX_FILTER, None),
    "xlsm": ("Calc MS Excel 2007 VBA XML", None),
    "ods": ("calc8", None),
    "xls": ("MS Excel 97", None),
    "pdf": ("calc_pdf_Export", None),
    "html": ("HTML (StarCalc)", None),
    # comma, double quote, UTF-8, first line 1; the first sheet only
    "csv": ("Text - txt - csv (StarCalc)", "44,34,76,1"),
}
_OOXML_FILTERS = {XLSX_FILTER, "Calc MS Excel 2007 VBA XML", "Calc Office Open XML"}
_OOXML_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam"}
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

# Seeded into each fresh profile. No document lock files: they would litter the tests' folders
# and, left behind by a crashed soffice, make the restarted one refuse to open the file.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Misc">
<prop oor:name="UseDocumentOOoLockFile" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">
<prop oor:name="UseDocumentSystemFileLocking" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Save/Document">
<prop oor:name="AutoSave" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Recovery/AutoSave">
<prop oor:name="Enabled" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


class Formula(str):
    """A cell formula such as Formula("=SUM(B2:B9)"); a plain str is always written as text."""

    __slots__ = ()


Value = str | int | float | bool | dt.date | dt.datetime | dt.time | None
PathLike = str | os.PathLike[str]


class LibreOfficeError(RuntimeError):
    """LibreOffice failed to do what was asked; the message carries LibreOffice's own words."""


class LibreOfficeLoadError(LibreOfficeError):
    """A file did not open cleanly: load failure, a repair/other question, or not a spreadsheet."""


class LibreOfficeTimeout(LibreOfficeError):
    """An operation hung; soffice was killed and starts afresh on the next call."""


class LibreOfficeCrashed(LibreOfficeError):
    """soffice died during an operation twice in a row (once is retried after a restart)."""


@dataclass(frozen=True)
class OpenReport:
    """What LibreOffice made of a file that opened without errors or questions."""

    filter: str
    sheets: list[str]


# -- discovery ------------------------------------------------------------------------------------


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def _clean_env() -> dict[str, str]:
    # the system python must not see the venv; a UTF-8 locale lets soffice handle Cyrillic paths
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONSAFEPATH", "LANGUAGE"}
    }
    utf8 = _utf8_locale()
    if utf8:
        env["LC_ALL"] = env["LANG"] = utf8
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONUNBUFFERED"] = "1"
    return env


@functools.cache
def _utf8_locale() -> str | None:
    saved = locale.setlocale(locale.LC_CTYPE)
    try:
        for name in ("C.UTF-8", "C.utf8", "en_US.UTF-8", "en_US.utf8"):
            try:
                locale.setlocale(locale.LC_CTYPE, name)
                return name
            except locale.Error:
                continue
        return None
    finally:
        locale.setlocale(locale.LC_CTYPE, saved)


@functools.cache
def find_soffice() -> str | None:
    """$CXEXCEL_SOFFICE (if set, nothing else), soffice/libreoffice on PATH, the usual folders."""
    override = os.environ.get("CXEXCEL_SOFFICE")
    candidates = [override] if override else [shutil.which("soffice"), shutil.which("libreoffice")]
    if not override:
        candidates += ["/usr/lib/libreoffice/program/soffice", "/usr/bin/soffice"]
        candidates += sorted(str(p) for p in Path("/opt").glob("libreoffice*/program/soffice"))
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


@functools.cache
def find_uno_python() -> str | None:
    """$CXEXCEL_UNO_PYTHON (if set, nothing else), /usr/bin/python3, each python3 on PATH, the
    python bundled next to soffice: the first that can import uno."""
    override = os.environ.get("CXEXCEL_UNO_PYTHON")
    candidates = [override] if override else ["/usr/bin/python3"]
    if not override:
        candidates += [os.path.join(d, "python3") for d in os.environ.get("PATH", "").split(os.pathsep) if d]
        soffice = find_soffice()
        if soffice:  # LibreOffice's own builds (/opt/libreoffice*) bundle a python with uno
            candidates.append(os.path.join(os.path.dirname(os.path.realpath(soffice)), "python"))
    seen: set[str] = set()
    env = _clean_env()
    for c in candidates:
        if not c or c in seen or not os.path.isfile(c) or not os.access(c, os.X_OK):
            continue
        seen.add(c)
        try:
            ok = (
                subprocess.run(
                    [c, "-s", "-c", "import uno"], env=env, capture_output=True, timeout=30
                ).returncode
                == 0
            )
        except (OSError, subprocess.SubprocessError):
            ok = False
        if ok:
            return c
    return None


def unavailable_reason() -> str | None:
    """Why LibreOffice tests cannot run here, or None when they can."""
    missing = []
    if find_soffice() is None:
        where = os.environ.get("CXEXCEL_SOFFICE")
        missing.append(
            f"soffice at $CXEXCEL_SOFFICE={where}"
            if where
            else "soffice (apt-get install libreoffice-calc-nogui)"
        )
    if find_uno_python() is None:
        where = os.environ.get("CXEXCEL_UNO_PYTHON")
        missing.append(
            f"uno in $CXEXCEL_UNO_PYTHON={where}"
            if where
            else "a python3 that can `import uno` (apt-get install python3-uno)"
        )
    if not missing:
        return None
    return "LibreOffice is not usable: missing " + " and ".join(missing)


def libreoffice_available() -> bool:
    """True when soffice and a uno-capable python3 are both installed."""
    return unavailable_reason() is None


def require_libreoffice() -> None:
    """Skip the current test when LibreOffice is missing; under CI (CI=true) fail it instead."""
    reason = unavailable_reason()
    if reason is None:
        return
    if _ci():
        pytest.fail(f"{reason}; CI=true, so LibreOffice tests must not be skipped", pytrace=False)
    pytest.skip(reason)


# -- wire format ---------------------------------------------------------------------------------


def check_package(path: PathLike) -> None:
    """Raise LibreOfficeLoadError when an Office Open XML file is damaged in a way LibreOffice
    passes over silently but Excel offers to repair: not a zip, a bad CRC, no [Content_Types].xml,
    a part that is not well-formed XML, or a relationship to a part that is not there."""
    p = Path(_existing(path))
    if p.stat().st_size == 0:
        raise LibreOfficeLoadError(f"{p}: empty file (LibreOffice would open it as a new blank workbook)")
    try:
        zf = zipfile.ZipFile(p)
    except zipfile.BadZipFile as e:
        raise LibreOfficeLoadError(f"{p}: not a zip package: {e}") from None
    problems = []
    with zf:
        try:
            bad = zf.testzip()
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise LibreOfficeLoadError(f"{p}: damaged zip: {e}") from None
        if bad is not None:
            problems.append(f"{bad}: bad CRC")
        names = set(zf.namelist())
        if "[Content_Types].xml" not in names:
            problems.append("no [Content_Types].xml")
        for name in sorted(names):
            if not name.endswith((".xml", ".rels")):
                continue  # VML drawings are not XML that a strict parser accepts, even from Excel
            try:
                root = fromstring(zf.read(name))
            except ParseError as e:
                problems.append(f"{name}: not well-formed XML ({e})")
                continue
            if not name.endswith(".rels"):
                continue
            # pkg/_rels/part.xml.rels describes pkg/part.xml; targets are relative to pkg/
            base = posixpath.dirname(posixpath.dirname(name))
            for rel in root.iter(f"{_REL_NS}Relationship"):
                target = unquote(rel.get("Target", ""))
                if rel.get("TargetMode") == "External" or not target:
                    continue
                part = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
                part = posixpath.normpath(part)
                if part not in names:
                    problems.append(f"{name}: relationship {rel.get('Id')} points to missing {part}")
    if problems:
        raise LibreOfficeLoadError(f"{p}: damaged package: " + "; ".join(problems))


def _encode(v: Value) -> Any:
    if v is None or isinstance(v, bool | int | float):
        return v
    if isinstance(v, Formula):
        return {"$f": str(v)}
    if isinstance(v, str):
        return v
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            raise ValueError(f"spreadsheets have no time zones: {v!r}")
        return {"$dt": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$d": v.isoformat()}
    if isinstance(v, dt.time):
        if v.tzinfo is not None:
            raise ValueError(f"spreadsheets have no time zones: {v!r}")
        return {"$t": v.isoformat()}
    raise TypeError(f"cannot write {type(v).__name__} {v!r} to a cell")


def _abs(path: PathLike) -> str:
    return os.path.abspath(os.fspath(path))


def _existing(path: PathLike) -> str:
    p = _abs(path)
    if not os.path.isfile(p):
        raise FileNotFoundError(p)
    return p


def _tail(path: Path | None, limit: int = 2000) -> str:
    if path is None or not path.exists():
        return ""
    data = path.read_bytes()[-limit:].decode("utf-8", "replace").strip()
    return f"\n--- {path.name} ---\n{data}" if data else ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Disconnected(Exception):
    pass


class _StartFailed(Exception):
    pass


# -- the instance --------------------------------------------------------------------------------


class LibreOffice:
    """A headless soffice plus a UNO worker; every operation opens a file, acts and closes it."""

    def __init__(
        self,
        *,
        soffice: str | None = None,
        python: str | None = None,
        startup_timeout: float = 60.0,
        op_timeout: float = 120.0,
    ) -> None:
        self.soffice_path = soffice or find_soffice()
        self.python_path = python or find_uno_python()
        self.startup_timeout = startup_timeout
        self.op_timeout = op_timeout
        self.version = ""
        self.startup_seconds = 0.0
        self.restarts = 0
        self._lock = threading.RLock()
        self._soffice: subprocess.Popen[bytes] | None = None
        self._worker: subprocess.Popen[bytes] | None = None
        self._replies: queue.Queue[bytes | None] = queue.Queue()
        self._tmp: Path | None = None
        self._logs: list[IO[bytes]] = []
        self._next_id = 0
        self._started = False

    # lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> LibreOffice:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def soffice_pid(self) -> int | None:
        """Process id (and process group) of the running soffice, None when it is not running."""
        p = self._soffice
        return p.pid if p is not None and p.poll() is None else None

    def start(self) -> LibreOffice:
        """Start soffice and the worker (a no-op when they are running); raises LibreOfficeError."""
        with self._lock:
            if self._running():
                return self
            if not (self.soffice_path and self.python_path):
                raise LibreOfficeError(unavailable_reason() or "LibreOffice is not usable")
            if self._started:  # it was up and has died: a crash, a kill or a timeout
                self.restarts += 1
            self._kill()
            last: _StartFailed | None = None
            for _ in range(3):  # a port taken between choosing and binding gets another try
                t0 = time.monotonic()
                try:
                    self._spawn()
                except _StartFailed as e:
                    last = e
                    self._kill()
                    continue
                self.startup_seconds = time.monotonic() - t0
                self._started = True
                return self
            raise LibreOfficeError(f"LibreOffice did not start: {last}")

    def close(self) -> None:
        """Quit soffice (asking nicely first) and remove its temporary profile."""
        with self._lock:
            w = self._worker
            if w is not None and w.poll() is None and w.stdin is not None:
                with contextlib.suppress(OSError, _Disconnected, LibreOfficeError):
                    self._roundtrip("terminate", {}, 15.0)
                with contextlib.suppress(OSError):
                    w.stdin.close()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    w.wait(5)
            s = self._soffice
            if s is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    s.wait(15)
            self._kill()
            self._started = False

    def restart(self) -> None:
        """Kill soffice and start a fresh one (a new profile too)."""
        with self._lock:
            self._kill()
            self.start()

    def _running(self) -> bool:
        return (
            self._soffice is not None
            and self._soffice.poll() is None
            and self._worker is not None
            and self._worker.poll() is None
        )

    def _spawn(self) -> None:
        assert self.soffice_path and self.python_path
        _remove_orphaned_folders()
        self._tmp = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX))
        (self._tmp / "owner.pid").write_text(str(os.getpid()), "ascii")
        port = _free_port()
        env = _clean_env()
        (self._tmp / "tmp").mkdir()
        soffice_env = {**env, "TMPDIR": str(self._tmp / "tmp")}  # a killed soffice leaves lu*.tmp behind
        (self._tmp / "profile" / "user").mkdir(parents=True)
        (self._tmp / "profile" / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, "utf-8")
        profile = (self._tmp / "profile").as_uri()
        soffice_log = open(self._tmp / "soffice.log", "wb")  # noqa: SIM115 - closed in _kill
        worker_log = open(self._tmp / "worker.log", "wb")  # noqa: SIM115 - closed in _kill
        self._logs = [soffice_log, worker_log]
        self._soffice = subprocess.Popen(
            [
                self.soffice_path,
                "--headless",
                "--invisible",
                "--nologo",
                "--norestore",
                "--nodefault",
                "--nolockcheck",
                f"--accept=socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext",
                f"-env:UserInstallation={profile}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=soffice_log,
            stderr=subprocess.STDOUT,
            env=soffice_env,
            cwd=self._tmp,
            start_new_session=True,  # its own process group: soffice.bin is killed with it
        )
        self._worker = subprocess.Popen(
            [
                self.python_path,
                "-s",
                str(WORKER),
                "--port",
                str(port),
                "--connect-timeout",
                str(self.startup_timeout),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=worker_log,
            env=env,
            cwd=self._tmp,
            start_new_session=True,  # Ctrl-C in pytest must not kill it mid-save
        )
        self._replies = queue.Queue()
        assert self._worker.stdout is not None
        threading.Thread(
            target=_pump, args=(self._worker.stdout, self._replies), daemon=True, name="lo-worker-reader"
        ).start()
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                line = self._replies.get(timeout=0.2)
            except queue.Empty:
                if self._soffice.poll() is not None:
                    raise _StartFailed(
                        f"soffice exited with code {self._soffice.returncode}" + self._logs_tail()
                    ) from None
                if time.monotonic() > deadline:
                    tail = self._logs_tail()
                    raise _StartFailed(f"no connection within {self.startup_timeout:.0f} s{tail}") from None
                continue
            if line is None:
                self._worker.wait(5)
                raise _StartFailed(f"worker exited with code {self._worker.returncode}" + self._logs_tail())
            msg = json.loads(line)
            if not msg.get("ready"):
                raise _StartFailed(str(msg.get("error")) + self._logs_tail())
            self.version = str(msg.get("version", ""))
            return

    def _logs_tail(self) -> str:
        if self._tmp is None:
            return ""
        for f in self._logs:
            with contextlib.suppress(OSError, ValueError):
                f.flush()
        return _tail(self._tmp / "soffice.log") + _tail(self._tmp / "worker.log")

    def _kill(self) -> None:
        for proc in (self._worker, self._soffice):
            if proc is None:
                continue
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # our own session: soffice, oosplash, soffice.bin
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
        self._worker = self._soffice = None
        for f in self._logs:
            with contextlib.suppress(OSError):
                f.close()
        self._logs = []
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    # requests ---------------------------------------------------------------------------------

    def _call(self, op: str, args: dict[str, Any], timeout: float | None = None) -> Any:
        with self._lock:
            for attempt in (1, 2):
                if not self._running():
                    self.start()
                try:
                    return self._roundtrip(op, args, timeout or self.op_timeout)
                except _Disconnected as e:
                    details = f"{e}{self._logs_tail()}"
                    self._kill()
                    if attempt == 2:
                        raise LibreOfficeCrashed(f"soffice died twice during {op}: {details}") from None
            raise AssertionError("unreachable")

    def _roundtrip(self, op: str, args: dict[str, Any], timeout: float) -> Any:
        w = self._worker
        assert w is not None and w.stdin is not None
        self._next_id += 1
        rid = self._next_id
        try:
            w.stdin.write(
                (json.dumps({"id": rid, "op": op, "args": args}, ensure_ascii=False) + "\n").encode()
            )
            w.stdin.flush()
        except (BrokenPipeError, ValueError, OSError) as e:
            raise _Disconnected(f"worker gone: {e}") from None
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._replies.get(timeout=0.5)
            except queue.Empty:
                if w.poll() is not None:
                    raise _Disconnected(f"worker exited with code {w.returncode}") from None
                if time.monotonic() > deadline:
                    tail = self._logs_tail()
                    self._kill()
                    raise LibreOfficeTimeout(
                        f"{op} took longer than {timeout:.0f} s; soffice was killed{tail}"
                    ) from None
                continue
            if line is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    w.wait(5)
                raise _Disconnected(f"worker exited with code {w.returncode}")
            msg = json.loads(line)
            if msg.get("id") != rid:
                continue  # a late answer to an earlier request
            if msg.get("ok"):
                return msg.get("result")
            err = msg.get("error") or {}
            kind, text = err.get("kind"), str(err.get("message", ""))
            if kind == "disconnected":
                raise _Disconnected(text)
            if kind == "load":
                raise LibreOfficeLoadError(text)
            if kind == "notfound":
                raise FileNotFoundError(text)
            if kind == "value":
                raise ValueError(text)
            trace = err.get("traceback")
            raise LibreOfficeError(f"{op}: {text}" + (f"\n{trace}" if trace else ""))

    # operations -------------------------------------------------------------------------------

    def edit(
        self,
        src: PathLike,
        dst: PathLike,
        *,
        cells: Iterable[tuple[str, str, Value]] = (),
        blocks: Iterable[tuple[str, str, Sequence[Sequence[Value]]]] = (),
        recalc: bool = True,
    ) -> Path:
        """Open src, write blocks (sheet, top-left A1, rows) as fill_rows does, then cells
        (sheet, A1, value) as fill does, recalculate and save as xlsx to dst: one round trip."""
        args = {
            "src": _existing(src),
            "dst": _abs(dst),
            "cells": [[s, ref, _encode(v)] for s, ref, v in cells],
            "blocks": [[s, ref, [[_encode(v) for v in row] for row in rows]] for s, ref, rows in blocks],
            "recalc": recalc,
        }
        return Path(self._call("edit", args))

    def fill(self, src: PathLike, dst: PathLike, edits: Iterable[tuple[str, str, Value]]) -> Path:
        """Open src, set each (sheet, A1, value) — None clears the cell, Formula(...) is a formula,
        dates get a date format unless the cell has one — recalculate and save xlsx to dst."""
        return self.edit(src, dst, cells=edits)

    def fill_rows(
        self,
        src: PathLike,
        dst: PathLike,
        sheet: str,
        first_row: int,
        rows: Sequence[Sequence[Value]],
        first_col: str = "A",
    ) -> Path:
        """Type rows into sheet from row first_row (1-based) and column first_col, recalculate and
        save xlsx to dst. Unlike fill, None leaves a cell as it is (a formula column to the right
        survives short rows) and "" empties it. Dense rows go in with one setDataArray, which also
        drops cell notes (comments) on the cells it writes; fill keeps them."""
        if first_row < 1:
            raise ValueError(f"first_row is 1-based, got {first_row}")
        return self.edit(src, dst, blocks=[(sheet, f"{first_col}{first_row}", rows)])

    def read(
        self,
        path: PathLike,
        ranges: Iterable[tuple[str, str]],
        *,
        formulas: bool = False,
        recalc: bool = True,
    ) -> list[list[list[Any]]]:
        """recalc_read for several (sheet, range) pairs with one load."""
        args = {
            "path": _existing(path),
            "reads": [[s, r] for s, r in ranges],
            "formulas": formulas,
            "recalc": recalc,
        }
        return list(self._call("read", args))

    def recalc_read(
        self, path: PathLike, sheet: str, range_a1: str, *, formulas: bool = False
    ) -> list[list[Any]]:
        """Open path, calculateAll() and return the range's values row by row: numbers (dates
        too) as float, text as str, empty as None, errors as their text ("#DIV/0!"). Whole
        columns/rows ("B:B") stop at the used area. formulas=True returns the formula texts
        (=SUM(...)) and constants, all as str, instead."""
        return self.read(path, [(sheet, range_a1)], formulas=formulas)[0]

    def resave(self, src: PathLike, dst: PathLike) -> Path:
        """Open src and save it as xlsx to dst (a LibreOffice round trip), recalculated."""
        return self.convert(src, "xlsx", dst)

    def convert(
        self,
        src: PathLike,
        dst_format: str,
        dst: PathLike | None = None,
        *,
        filter_name: str | None = None,
        filter_options: str | None = None,
        in_filter: str | None = None,
    ) -> Path:
        """Save src as dst_format (a FILTERS key: xlsx, ods, pdf, csv, xls, html, xlsm) to dst
        (default: src with the new suffix), recalculated. filter_name/filter_options override the
        export filter; in_filter forces the import filter (an .xlam needs "Calc MS Excel 2007 VBA XML")."""
        fmt = dst_format.lower().lstrip(".")
        if filter_name is None:
            if fmt not in FILTERS:
                raise ValueError(
                    f"unknown format {dst_format!r}; known: {sorted(FILTERS)} (or pass filter_name)"
                )
            filter_name, default_options = FILTERS[fmt]
            filter_options = filter_options if filter_options is not None else default_options
        src_path = _existing(src)
        target = _abs(dst) if dst is not None else str(Path(src_path).with_suffix("." + fmt))
        args = {
            "src": src_path,
            "dst": target,
            "filter": filter_name,
            "filter_options": filter_options,
            "in_filter": in_filter,
        }
        return Path(self._call("convert", args))

    def check_opens(self, path: PathLike, *, package: bool = True) -> OpenReport:
        """Raise LibreOfficeLoadError unless path opens as a spreadsheet with no error, no repair
        question and no other prompt; an .xlsx must open through an Office Open XML filter.
        package=True first runs check_package, which catches damage LibreOffice forgives."""
        ooxml = Path(os.fspath(path)).suffix.lower() in _OOXML_SUFFIXES
        if package and ooxml:
            check_package(path)
        info = self._call("inspect", {"path": _existing(path)})
        report = OpenReport(filter=str(info["filter"]), sheets=list(info["sheets"]))
        if ooxml and report.filter not in _OOXML_FILTERS:
            raise LibreOfficeLoadError(
                f"{path}: opened with filter {report.filter!r}, not as Office Open XML"
            )
        return report

    def sheet_names(self, path: PathLike) -> list[str]:
        """The sheet names as LibreOffice sees them, in order (the file must open cleanly)."""
        return self.check_opens(path, package=False).sheets


_TMP_PREFIX = "cxexcel-lo-"


def _remove_orphaned_folders() -> None:
    # a test run killed with SIGKILL cannot remove its profile; the next run does
    for folder in Path(tempfile.gettempdir()).glob(_TMP_PREFIX + "*"):
        try:
            owner = int((folder / "owner.pid").read_text("ascii"))
            os.kill(owner, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):
            continue  # not ours to judge: no owner file (yet) or someone else's process


def _pump(stream: IO[bytes], sink: queue.Queue[bytes | None]) -> None:
    try:
        for line in stream:
            sink.put(line)
    except (OSError, ValueError):
        pass
    finally:
        sink.put(None)


# -- one instance per session ----------------------------------------------------------------------

_shared: LibreOffice | None = None
_shared_lock = threading.Lock()


def shared_libreoffice() -> LibreOffice:
    """The process-wide instance, started on first use and quit at exit (or by the lo fixture)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = LibreOffice()
            atexit.register(_close_shared)
        _shared.start()
        return _shared


def _close_shared() -> None:
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.close()
            _shared = None


@pytest.fixture(scope="session")
def lo() -> Iterator[LibreOffice]:
    """The session's LibreOffice; skips (fails under CI=true) when LibreOffice is not installed."""
    require_libreoffice()
    yield shared_libreoffice()
    _close_shared()


# -- pytest plugin hooks (active when loaded through pytest_plugins) -------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "libreoffice: needs LibreOffice Calc (soffice) and python3-uno")


@pytest.hookimpl(tryfirst=True)  # before -m selection sees the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "lo" in getattr(item, "fixturenames", ()) and item.get_closest_marker("libreoffice") is None:
            item.add_marker(pytest.mark.libreoffice)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("libreoffice") is not None:
        require_libreoffice()


if __name__ == "__main__":  # python tests/libreoffice.py: a quick self-check of the installation
    print(unavailable_reason() or f"soffice: {find_soffice()}\nuno python: {find_uno_python()}")
    if libreoffice_available():
        with LibreOffice() as office:
            print(f"{office.version}, started in {office.startup_seconds:.1f} s")
    sys.exit(0 if libreoffice_available() else 1)
