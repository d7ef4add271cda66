"""Checking files: read, type every cell, run the kind's rules, then the rules across files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cxexcel.forms import catalog
from cxexcel.issues import Code, Issue, make_issue
from cxexcel.programme import Programme, default_programme
from cxexcel.read import (
    DEFAULT_LIMITS,
    Limits,
    ReadWorkbook,
    UnreadableWorkbook,
    ValuesSource,
    read_values,
    read_workbook,
)
from cxexcel.read.normalize import normalize_unit_name, parse_cell_ref
from cxexcel.validate.checked import CheckedWorkbook, check_cells, mark_error_rows
from cxexcel.validate.report import FileReport, Report
from cxexcel.validate.report_date import check_report_date
from cxexcel.validate.rules import KIND_RULES, RuleContext

# import for their registration side effect: each module adds its rules to KIND_RULES
from cxexcel.validate.rules import journey as _journey  # noqa: F401
from cxexcel.validate.rules import measurements as _measurements  # noqa: F401
from cxexcel.validate.rules import registers as _registers  # noqa: F401
from cxexcel.validate.rules import roadmap as _roadmap  # noqa: F401
from cxexcel.validate.rules.journey import check_references, journey_touchpoints
from cxexcel.validate.rules.measurements import MEASUREMENTS_SHEET


@dataclass
class FileResult:
    """One file's outcome: the checked workbook, or the reason it could not be read."""

    path: Path
    workbook: CheckedWorkbook | None
    unreadable: Issue | None = None

    def report(self) -> FileReport:
        wb = self.workbook
        if wb is None:
            assert self.unreadable is not None
            return FileReport(str(self.path), None, None, None, None, False, (self.unreadable,))
        return FileReport(str(self.path), wb.kind.key, wb.kind.title, wb.region, wb.czn, True,
                          tuple(wb.issues))


def unreadable_issue(path: Path, error: UnreadableWorkbook) -> Issue:
    return make_issue(Code(error.reason.value), str(path), error.message)


def internal_error_issue(path: Path, error: BaseException) -> Issue:
    """A check that failed inside cxexcel: the file is reported, the run goes on (and the bug is visible)."""
    return make_issue(
        Code.INTERNAL_ERROR, str(path),
        f"Файл не проверен из-за внутренней ошибки cxexcel ({type(error).__name__}: {str(error)[:200]}). "
        "Сообщите разработчикам, приложив файл.",
    )


def check_file(
    path: str | Path,
    *,
    programme: Programme | None = None,
    as_of: dt.date | None = None,
    limits: Limits = DEFAULT_LIMITS,
    expected_kind: str | None = None,
) -> FileResult:
    """Check one file on its own (rules across files need `check_files`)."""
    path = Path(path)
    try:
        read = read_workbook(path, limits, expected_kind)
    except UnreadableWorkbook as error:
        return FileResult(path, None, unreadable_issue(path, error))
    try:
        return FileResult(path, _check_read(read, programme or default_programme(), as_of, limits))
    except Exception as error:
        return FileResult(path, None, internal_error_issue(path, error))


def check_values(
    source: ValuesSource,
    *,
    programme: Programme | None = None,
    as_of: dt.date | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> FileResult:
    """Check a workbook whose values are in memory (the add-in), with every rule of its kind."""
    path = Path(source.file)
    programme = programme or default_programme()
    try:
        read = read_values(source, limits)
        wb = _check_read(read, programme, as_of, limits)
    except UnreadableWorkbook as error:
        return FileResult(path, None, unreadable_issue(path, error))
    except Exception as error:
        return FileResult(path, None, internal_error_issue(path, error))
    check_report_date(wb, programme, dt.date.today())
    mark_error_rows(wb)
    sort_issues(wb)
    return FileResult(path, wb)


def _check_read(read: ReadWorkbook, programme: Programme, as_of: dt.date | None,
                limits: Limits) -> CheckedWorkbook:
    wb = check_cells(read, limits.max_cell_chars)
    ctx = RuleContext(wb, programme, as_of or wb.report_date or dt.date.today())
    for rule in KIND_RULES.get(wb.kind.key, []):
        rule(ctx)
    return wb


def cross_check(results: Sequence[FileResult], programme: Programme, as_of: dt.date | None) -> None:
    """Rules that need two workbooks: measurements reference the journey of the same centre."""
    journeys: dict[tuple[str, str], CheckedWorkbook] = {}
    for result in results:
        wb = result.workbook
        if wb is not None and wb.kind.key == "journey" and wb.region and wb.czn:
            journeys.setdefault(centre_key(wb.region, wb.czn), wb)
    for result in results:
        wb = result.workbook
        if wb is None or wb.kind.key != "measurements" or not (wb.region and wb.czn):
            continue
        journey = journeys.get(centre_key(wb.region, wb.czn))
        if journey is None:
            continue
        ctx = RuleContext(wb, programme, as_of or wb.report_date or dt.date.today())
        source = f"пути клиента этого ЦЗН (файл {journey.path.name})"
        check_references(ctx, MEASUREMENTS_SHEET, wb.records(MEASUREMENTS_SHEET),
                         journey_touchpoints(journey), source)


def centre_key(region: str, czn: str) -> tuple[str, str]:
    """Files of one centre match by region and centre name compared normalised (white space ignored)."""
    return normalize_unit_name(region), normalize_unit_name(czn)


def check_files(
    paths: Iterable[str | Path],
    *,
    programme: Programme | None = None,
    as_of: dt.date | None = None,
    limits: Limits = DEFAULT_LIMITS,
    expected_kind: str | None = None,
) -> list[FileResult]:
    """Check several files, then the rules across them; rows with errors are marked not ok."""
    programme = programme or default_programme()
    results = [check_file(p, programme=programme, as_of=as_of, limits=limits, expected_kind=expected_kind)
               for p in paths]
    cross_check(results, programme, as_of)
    today = dt.date.today()
    for result in results:
        if result.workbook is not None:
            check_report_date(result.workbook, programme, today)
            mark_error_rows(result.workbook)
            sort_issues(result.workbook)
    return results


def sort_issues(wb: CheckedWorkbook) -> None:
    """File-level issues first, then sheet by sheet in workbook order, cells top to bottom."""
    order = {name: n for n, name in enumerate(
        [wb.sheet_name(catalog.TITLE_SHEET), *(wb.sheet_name(s.name) for s in wb.kind.sheets)])}

    def key(issue: Issue) -> tuple[int, int, int]:
        if issue.sheet is None:
            return (-1, 0, 0)
        row, col = parse_cell_ref(issue.cell) if issue.cell else (-1, -1)
        return (order.get(issue.sheet, len(order)), row, col)

    wb.issues.sort(key=key)


def validate(
    paths: Iterable[str | Path],
    *,
    programme: Programme | None = None,
    as_of: dt.date | None = None,
    limits: Limits = DEFAULT_LIMITS,
    expected_kind: str | None = None,
) -> Report:
    """The report of checking these files (the call behind `cxexcel validate`)."""
    results = check_files(paths, programme=programme, as_of=as_of, limits=limits, expected_kind=expected_kind)
    return Report(tuple(r.report() for r in results))
