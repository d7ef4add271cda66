"""LibreOffice operations over UNO for tests/libreoffice.py; run by the system python3 that has `uno`."""

# This file runs under Debian's /usr/bin/python3 (the project venv cannot import uno) and is
# driven by tests/libreoffice.py through JSON lines: one request per stdin line, one reply
# per line on the original stdout. Everything else (uno chatter, prints) goes to stderr.

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
import time
import traceback

import uno
import unohelper
from com.sun.star.task import XInteractionHandler

PROTOCOL = 1


def _struct_setattr_fallback(original):
    # pyuno of LibreOffice 7.4 under Python 3.11 cannot build UNO exceptions (it sets `args`
    # through the struct setter), so every interaction request arrived as a SystemError
    def setattr_(self, name, value):
        try:
            return original(self, name, value)
        except AttributeError:
            if isinstance(self, BaseException):
                return object.__setattr__(self, name, value)
            raise

    return setattr_


uno._uno_struct__setattr__ = _struct_setattr_fallback(uno._uno_struct__setattr__)

# com.sun.star.sheet.CellFlags: what the Delete key removes (values, dates, text, formulas)
CLEAR_CONTENT = 1 | 2 | 4 | 16
# com.sun.star.util.NumberFormat
NF_DATE, NF_TIME, NF_LOGICAL = 2, 4, 1024
# com.sun.star.sheet.FormulaResult.ERROR
FORMULA_ERROR = 4
XLSX_FILTER = "Calc MS Excel 2007 XML"
MAX_ROW, MAX_COL = 1048575, 16383  # the last row and column of an xlsx sheet (0-based)

# kind of a typed value -> (format code applied when the cell has no fitting format, required type bits)
FORMATS = {
    "date": ("YYYY-MM-DD", NF_DATE),
    "datetime": ("YYYY-MM-DD HH:MM:SS", NF_DATE | NF_TIME),
    "time": ("HH:MM:SS", NF_TIME),
    "bool": ("BOOLEAN", NF_LOGICAL),
}


class Failure(Exception):
    """An operation failed for a reason the caller should see (kind: load, value, office)."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def prop(name, value):
    p = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    p.Name = name
    p.Value = value
    return p


def exc_text(e):
    name = getattr(e, "typeName", None) or type(e).__name__
    msg = getattr(e, "Message", None) or str(e)
    return f"{name}: {msg}".strip()


def is_disconnect(e):
    # a dead soffice shows up as a disposed bridge or a plain RuntimeException about the connection
    text = f"{type(e).__name__} {getattr(e, 'typeName', '')} {getattr(e, 'Message', '')} {e}"
    return any(
        s in text
        for s in (
            "DisposedException",
            "bridge disposed",
            "Binary URP bridge",
            "Broken pipe",
            "Connection reset",
            "connection reset",
        )
    )


class Recorder(unohelper.Base, XInteractionHandler):
    """Records every question LibreOffice would have asked (repair? filter options?) and aborts."""

    def __init__(self):
        self.requests = []

    def handle(self, request):
        try:
            self.requests.append(describe_request(request.getRequest()))
        except Exception as e:
            self.requests.append(f"an unreadable request ({exc_text(e)})")
        conts = request.getContinuations()
        for wanted in ("com.sun.star.task.XInteractionAbort", "com.sun.star.task.XInteractionDisapprove"):
            t = uno.getTypeByName(wanted)
            for c in conts:
                try:
                    if c.queryInterface(t) is not None:
                        c.select()
                        return
                except Exception:
                    continue
        if conts:
            conts[0].select()


# what the common requests mean, in the words of the dialog LibreOffice would have shown
REQUEST_MEANING = {
    "BrokenPackageRequest": "the file is corrupt; LibreOffice would offer to repair it",
    "NoSuchFilterRequest": "no import filter recognises the file",
    "DocumentPasswordRequest": "the file needs a password",
    "DocumentPasswordRequest2": "the file needs a password",
    "DocumentMSPasswordRequest2": "the file needs a password",
    "FilterOptionsRequest": "the import filter asks for options",
    "ErrorCodeRequest": "LibreOffice reports an error or warning",
}


def describe_request(req):
    if req is None:
        return "unknown request"
    full = getattr(req, "typeName", None) or f"{type(req).__module__}.{type(req).__name__}"
    short = full.rsplit(".", 1)[-1]
    parts = [short]
    if short in REQUEST_MEANING:
        parts.append(f"({REQUEST_MEANING[short]})")
    msg = getattr(req, "Message", "") or ""
    if msg and not msg.startswith("at ./"):  # bare source locations say nothing to a reader
        parts.append(msg)
    code = getattr(req, "ErrCode", None)
    if code is not None:
        parts.append(f"ErrCode=0x{code & 0xFFFFFFFF:08X}")
    return " ".join(str(p) for p in parts)


class Office:
    def __init__(self, port, connect_timeout):
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + connect_timeout
        delay = 0.05
        while True:
            try:
                self.ctx = resolver.resolve(url)
                break
            except Exception as e:
                if time.monotonic() > deadline:
                    raise Failure(
                        "connect", f"cannot connect to soffice on port {port}: {exc_text(e)}"
                    ) from e
                time.sleep(delay)
                delay = min(delay * 1.5, 0.5)
        self.smgr = self.ctx.ServiceManager
        self.desktop = self.smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)

    def alive(self):
        """A dying soffice shows up as odd errors ("illegal object given!"); ask it something."""
        try:
            self.desktop.getFrames().getCount()
            return True
        except Exception:
            return False

    def version(self):
        try:
            cp = self.smgr.createInstanceWithContext(
                "com.sun.star.configuration.ConfigurationProvider", self.ctx
            )
            node = cp.createInstanceWithArguments(
                "com.sun.star.configuration.ConfigurationAccess",
                (prop("nodepath", "/org.openoffice.Setup/Product"),),
            )
            return f"{node.getByName('ooName')} {node.getByName('ooSetupVersionAboutBox')}"
        except Exception as e:
            return f"unknown ({exc_text(e)})"

    # -- documents ---------------------------------------------------------------------------

    def load(self, path, read_only=False, filter_name=None):
        if not os.path.isfile(path):
            raise Failure("notfound", f"no such file: {path}")
        recorder = Recorder()
        args = (
            prop("Hidden", True),
            prop("ReadOnly", read_only),
            prop("RepairPackage", False),
            prop("MacroExecutionMode", 0),  # NEVER_EXECUTE
            prop("UpdateDocMode", 0),  # NO_UPDATE: no external links
            prop("InteractionHandler", recorder),
        ) + ((prop("FilterName", filter_name),) if filter_name else ())
        url = uno.systemPathToFileUrl(os.path.abspath(path))
        try:
            doc = self.desktop.loadComponentFromURL(url, "_blank", 0, args)
        except Exception as e:
            if is_disconnect(e):
                raise
            raise Failure("load", self._load_message(path, exc_text(e), recorder)) from e
        if doc is None:
            raise Failure("load", self._load_message(path, "LibreOffice returned no document", recorder))
        if recorder.requests:
            close(doc)
            raise Failure(
                "load", self._load_message(path, "LibreOffice asked questions while loading", recorder)
            )
        if not doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
            close(doc)
            raise Failure("load", f"{path}: LibreOffice did not open it as a spreadsheet")
        return doc

    @staticmethod
    def _load_message(path, what, recorder):
        msg = f"{path}: {what}"
        if recorder.requests:
            msg += " [" + "; ".join(dict.fromkeys(recorder.requests)) + "]"
        return msg

    def store(self, doc, dst, filter_name, filter_options=None):
        dst = os.path.abspath(dst)
        folder = os.path.dirname(dst)
        os.makedirs(folder, exist_ok=True)
        base, ext = os.path.splitext(os.path.basename(dst))
        tmp = os.path.join(folder, f".{base}.lo-{os.getpid()}-tmp{ext}")
        args = [prop("FilterName", filter_name), prop("Overwrite", True)]
        if filter_options is not None:
            args.append(prop("FilterOptions", filter_options))
        try:
            doc.storeToURL(uno.systemPathToFileUrl(tmp), tuple(args))
        except Exception as e:
            if os.path.exists(tmp):
                os.unlink(tmp)
            if is_disconnect(e):
                raise
            raise Failure("store", f"{dst}: storing with filter {filter_name!r} failed: {exc_text(e)}") from e
        os.replace(tmp, dst)
        return dst


def close(doc):
    try:
        doc.close(True)
    except Exception:
        with contextlib.suppress(Exception):
            doc.dispose()


def sheet_by_name(doc, name):
    sheets = doc.Sheets
    if not sheets.hasByName(name):
        raise Failure("value", f"no sheet {name!r}; sheets: {list(sheets.ElementNames)}")
    return sheets.getByName(name)


def cell_range(sheet, ref):
    try:
        return sheet.getCellRangeByName(ref)
    except Exception as e:
        raise Failure("value", f"bad cell reference {ref!r}: {exc_text(e)}") from e


# -- values -------------------------------------------------------------------------------------


class Typer:
    """Turns wire values into cell contents the way typing them into Calc would."""

    def __init__(self, doc):
        self.doc = doc
        nd = doc.NullDate
        self.null_date = dt.date(nd.Year, nd.Month, nd.Day)
        self.formats = doc.NumberFormats
        self.locale = uno.createUnoStruct("com.sun.star.lang.Locale")  # empty: the document's default
        self._keys = {}
        self._types = {}

    def decode(self, v):
        """-> (kind, payload): kind in number, text, formula, empty, date, datetime, time, bool."""
        if v is None:
            return "empty", None
        if isinstance(v, bool):
            return "bool", 1.0 if v else 0.0
        if isinstance(v, (int, float)):
            return "number", float(v)
        if isinstance(v, str):
            return "text", v
        if isinstance(v, dict) and len(v) == 1:
            ((tag, raw),) = v.items()
            if tag == "$f":
                return "formula", raw
            if tag == "$d":
                return "date", float((dt.date.fromisoformat(raw) - self.null_date).days)
            if tag == "$dt":
                x = dt.datetime.fromisoformat(raw)
                days = (x.date() - self.null_date).days
                secs = x.hour * 3600 + x.minute * 60 + x.second + x.microsecond / 1e6
                return "datetime", days + secs / 86400.0
            if tag == "$t":
                x = dt.time.fromisoformat(raw)
                return "time", (x.hour * 3600 + x.minute * 60 + x.second + x.microsecond / 1e6) / 86400.0
        raise Failure("value", f"cannot write value {v!r}")

    def key(self, kind):
        if kind not in self._keys:
            code = FORMATS[kind][0]
            k = self.formats.queryKey(code, self.locale, False)
            if k == -1:
                k = self.formats.addNew(code, self.locale)
            self._keys[kind] = k
        return self._keys[kind]

    def fits(self, fmt_key, kind):
        if fmt_key not in self._types:
            try:
                self._types[fmt_key] = self.formats.getByKey(fmt_key).Type
            except Exception:
                self._types[fmt_key] = 0
        need = FORMATS[kind][1]
        return self._types[fmt_key] & need == need

    def ensure_format(self, rng, kind):
        """Give rng a number format for kind unless (a part of) it already has a fitting one."""
        try:
            groups = rng.getUniqueCellFormatRanges()
            parts = [groups.getByIndex(i) for i in range(groups.getCount())]
        except Exception:
            parts = [rng]
        for part in parts:
            if not self.fits(part.NumberFormat, kind):
                part.NumberFormat = self.key(kind)

    def put(self, cell, v):
        kind, payload = self.decode(v)
        if kind == "empty":
            cell.clearContents(CLEAR_CONTENT)
        elif kind == "text":
            cell.setString(payload)
        elif kind == "formula":
            cell.setFormula(payload)
        else:
            cell.setValue(payload)
            if kind in FORMATS:
                self.ensure_format(cell, kind)


def write_cells(doc, typer, cells):
    sheets = {}
    for sheet_name, ref, value in cells:
        if sheet_name not in sheets:
            sheets[sheet_name] = sheet_by_name(doc, sheet_name)
        sheet = sheets[sheet_name]
        rng = cell_range(sheet, ref)
        addr = rng.RangeAddress
        if addr.StartColumn != addr.EndColumn or addr.StartRow != addr.EndRow:
            raise Failure("value", f"{sheet_name}!{ref}: one cell expected, not a range")
        typer.put(rng, value)


def write_block(doc, typer, sheet_name, ref, rows):
    """Types a block of rows from ref: None leaves a cell alone, "" empties it.

    Consecutive rows with the same layout of filled cells become one setDataArray per run of
    columns (one call for dense data); formulas and number formats follow.
    """
    if not rows:
        return
    sheet = sheet_by_name(doc, sheet_name)
    top_left = cell_range(sheet, ref).RangeAddress
    c0, r0 = top_left.StartColumn, top_left.StartRow
    decoded = []  # per row: [(col, payload)] of the cells to write
    formulas = []
    typed = {}  # kind -> list of (row, col) offsets
    for i, row in enumerate(rows):
        cells = []
        for j, v in enumerate(row):
            if v is None:
                continue
            kind, payload = typer.decode(v)
            if kind == "formula":
                formulas.append((i, j, payload))
                payload = ""
            elif kind in FORMATS:
                typed.setdefault(kind, []).append((i, j))
            cells.append((j, payload))
        decoded.append(cells)

    def spans(cells):
        out = []
        for j, _ in cells:
            if out and out[-1][1] == j - 1:
                out[-1][1] = j
            else:
                out.append([j, j])
        return tuple(tuple(s) for s in out)

    i = 0
    while i < len(decoded):
        layout = spans(decoded[i])
        k = i + 1
        while k < len(decoded) and spans(decoded[k]) == layout:
            k += 1
        for j1, j2 in layout:
            data = tuple(tuple(p for j, p in decoded[r] if j1 <= j <= j2) for r in range(i, k))
            sheet.getCellRangeByPosition(c0 + j1, r0 + i, c0 + j2, r0 + k - 1).setDataArray(data)
        i = k
    for i, j, f in formulas:
        sheet.getCellByPosition(c0 + j, r0 + i).setFormula(f)
    for kind, cells in typed.items():
        for j, i1, i2 in column_runs(cells):
            typer.ensure_format(sheet.getCellRangeByPosition(c0 + j, r0 + i1, c0 + j, r0 + i2), kind)


def column_runs(cells):
    """(row, col) offsets -> [(col, first_row, last_row)] runs of consecutive rows per column."""
    runs = []
    for j in sorted({c for _, c in cells}):
        rows = sorted(r for r, c in cells if c == j)
        start = prev = rows[0]
        for r in rows[1:]:
            if r != prev + 1:
                runs.append((j, start, prev))
                start = r
            prev = r
        runs.append((j, start, prev))
    return runs


def read_range(sheet, ref, formulas):
    rng = cell_range(sheet, ref)
    addr = rng.RangeAddress
    if addr.EndRow >= MAX_ROW or addr.EndColumn >= MAX_COL:
        # whole columns/rows ("B:B", "2:2"): stop at the used area instead of a million blanks
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        used = cursor.RangeAddress
        end_row = max(addr.StartRow, min(addr.EndRow, used.EndRow))
        end_col = max(addr.StartColumn, min(addr.EndColumn, used.EndColumn))
        rng = sheet.getCellRangeByPosition(addr.StartColumn, addr.StartRow, end_col, end_row)
        addr = rng.RangeAddress
    if formulas:
        return [list(r) for r in rng.getFormulaArray()]
    out = [list(r) for r in rng.getDataArray()]
    blanks = rng.queryEmptyCells().getRangeAddresses()
    for b in blanks:
        for r in range(b.StartRow, b.EndRow + 1):
            for c in range(b.StartColumn, b.EndColumn + 1):
                out[r - addr.StartRow][c - addr.StartColumn] = None
    for e in rng.queryFormulaCells(FORMULA_ERROR).getRangeAddresses():
        for r in range(e.StartRow, e.EndRow + 1):
            for c in range(e.StartColumn, e.EndColumn + 1):
                out[r - addr.StartRow][c - addr.StartColumn] = sheet.getCellByPosition(c, r).getString()
    return out


# -- operations ----------------------------------------------------------------------------------


def op_ping(office):
    return {"pid": os.getpid()}


def op_edit(office, src, dst, cells=(), blocks=(), filter=XLSX_FILTER, recalc=True):
    doc = office.load(src)
    try:
        typer = Typer(doc)
        for sheet_name, ref, rows in blocks:
            write_block(doc, typer, sheet_name, ref, rows)
        write_cells(doc, typer, cells)
        if recalc:
            doc.calculateAll()
        return office.store(doc, dst, filter)
    finally:
        close(doc)


def op_read(office, path, reads, recalc=True, formulas=False):
    doc = office.load(path, read_only=True)
    try:
        if recalc:
            doc.calculateAll()
        return [read_range(sheet_by_name(doc, s), ref, formulas) for s, ref in reads]
    finally:
        close(doc)


def op_convert(office, src, dst, filter, filter_options=None, in_filter=None, recalc=True):
    doc = office.load(src, read_only=True, filter_name=in_filter)
    try:
        if recalc:
            doc.calculateAll()
        return office.store(doc, dst, filter, filter_options)
    finally:
        close(doc)


def op_inspect(office, path):
    doc = office.load(path, read_only=True)
    try:
        filter_name = ""
        for p in doc.getArgs():
            if p.Name == "FilterName":
                filter_name = p.Value
        return {"filter": filter_name, "sheets": list(doc.Sheets.ElementNames)}
    finally:
        close(doc)


OPS = {"ping": op_ping, "edit": op_edit, "read": op_read, "convert": op_convert, "inspect": op_inspect}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--connect-timeout", type=float, default=60.0)
    opts = ap.parse_args()

    # keep the protocol channel private: anything printed later lands on stderr
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def reply(obj):
        channel.write(json.dumps(obj, ensure_ascii=False) + "\n")
        channel.flush()

    try:
        office = Office(opts.port, opts.connect_timeout)
    except Failure as f:
        reply({"ready": False, "error": {"kind": f.kind, "message": f.message}})
        return 3
    reply({"ready": True, "protocol": PROTOCOL, "pid": os.getpid(), "version": office.version()})

    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        rid, op = req.get("id"), req.get("op")
        if op == "terminate":
            with contextlib.suppress(Exception):  # the bridge goes away while soffice quits
                office.desktop.terminate()
            reply({"id": rid, "ok": True, "result": None})
            return 0
        t0 = time.monotonic()
        try:
            result = OPS[op](office, **req.get("args", {}))
            reply({"id": rid, "ok": True, "result": result, "seconds": time.monotonic() - t0})
        except Failure as f:
            reply({"id": rid, "ok": False, "error": {"kind": f.kind, "message": f.message}})
        except Exception as e:
            kind = "disconnected" if is_disconnect(e) or not office.alive() else "office"
            reply(
                {
                    "id": rid,
                    "ok": False,
                    "error": {"kind": kind, "message": exc_text(e), "traceback": traceback.format_exc()},
                }
            )
            if kind == "disconnected":
                return 4
    # stdin closed without "terminate": the harness is gone, so soffice must not outlive it
    with contextlib.suppress(Exception):
        office.desktop.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
