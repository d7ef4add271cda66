"""«Панель»: a sheet with this workbook's own results, rebuilt on every press."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence

import xlwings as xw

from cxexcel.addin.book_io import as_text, best_effort, find_sheet, set_column_widths, write_block
from cxexcel.forms import catalog
from cxexcel.forms.kinds import MEASUREMENTS
from cxexcel.metrics import Estimate, metric_summary
from cxexcel.validate import CheckedWorkbook
from cxexcel.validate.report import counts_text

DASHBOARD_SHEET = catalog.DASHBOARD_SHEET
ALL_TOUCHPOINTS = "Все точки"
MEASUREMENTS_SHEET = MEASUREMENTS.sheets[0].name
# (metric, figure of metric_summary, column title)
FIGURES: tuple[tuple[str, str, str], ...] = (
    (catalog.CSAT, "share", "CSAT, % (4–5)"),
    (catalog.NPS, "nps", "NPS"),
    (catalog.CES, "mean", "CES, средний балл"),
)
WIDTHS = (26, 10, 16, 18, 10, 16, 18, 10, 18, 18, 22)

Row = list[object]


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _interval(estimate: Estimate) -> str | None:
    if estimate.ci_low is None or estimate.ci_high is None:
        return None
    low, high = (f"{v:.1f}".replace(".", ",") for v in (estimate.ci_low, estimate.ci_high))
    return as_text(f"{low} – {high}")


def _figure_cells(estimate: Estimate) -> Row:
    if estimate.n == 0:
        return [0, None, None]
    if estimate.small_sample:
        # FORMS.md §5: below SMALL_SAMPLE answers a figure is «мало данных», n still shown
        return [estimate.n, as_text(catalog.SMALL_SAMPLE_LABEL), None]
    return [estimate.n, _round(estimate.value, 2 if estimate.kind.value == "mean" else 1), _interval(estimate)]


def measurement_rows(wb: CheckedWorkbook) -> list[Row]:
    """Per touchpoint (and all together): n and the headline figure with its 95% interval."""
    answers: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for record in wb.records(MEASUREMENTS_SHEET, only_ok=True):
        code, metric, value = record.get("touchpoint_code"), record.get("metric"), record.get("value")
        if code and metric and isinstance(value, int | float):
            answers[str(code)][str(metric)].append(float(value))
            answers[ALL_TOUCHPOINTS][str(metric)].append(float(value))
    header: Row = ["Код точки контакта"]
    for _, _, title in FIGURES:
        header += [f"n ({title.split(',')[0]})", title, "95% интервал"]
    header.append("Всего ответов")
    rows: list[Row] = [[as_text(h) for h in header]]
    codes = sorted(c for c in answers if c != ALL_TOUCHPOINTS)
    for code in [*codes, ALL_TOUCHPOINTS] if codes else []:
        row: Row = [as_text(code)]
        for metric, figure, _ in FIGURES:
            row += _figure_cells(metric_summary(metric, answers[code].get(metric, []))[figure])
        row.append(sum(len(v) for v in answers[code].values()))
        rows.append(row)
    if not codes:
        rows.append([as_text("Ответов без ошибок пока нет.")])
    return rows


def status_rows(wb: CheckedWorkbook) -> list[Row]:
    """For every table with a «Статус» column: how many rows have each status."""
    rows: list[Row] = []
    for table in wb.kind.table_sheets:
        if not any(c.key == "status" for c in table.columns):
            continue
        counts = Counter(str(r.get("status")) for r in wb.records(table.name) if r.get("status"))
        if not counts:
            continue
        status_column = table.column("status")
        rows.append([as_text(f"Статусы на листе «{table.name}»"), as_text("строк")])
        for status in (*status_column.choices, *sorted(set(counts) - set(status_column.choices))):
            if counts.get(status):
                rows.append([as_text(status), counts[status]])
        rows.append([])
    return rows


def dashboard_rows(wb: CheckedWorkbook, today: dt.date) -> list[Row]:
    """The whole «Панель»: title, counts of rows and issues, then the kind's own figures."""
    place = ", ".join(p for p in (wb.region, wb.czn) if p)
    rows: list[Row] = [
        [as_text(f"Панель: книга «{wb.kind.title}»" + (f" — {place}" if place else ""))],
        [as_text(f"Составлена {today:%d.%m.%Y}; проверка: {counts_text(wb.errors, wb.warnings)}. "
                 "Строки с ошибками в расчетах не учитываются.")],
        [],
        [as_text("Лист"), as_text("Заполнено строк"), as_text("Строк без ошибок")],
    ]
    for table in wb.kind.table_sheets:
        records = wb.records(table.name)
        rows.append([as_text(table.name), len(records), sum(r.ok for r in records)])
    rows.append([])
    rows += status_rows(wb)
    if wb.kind.key == MEASUREMENTS.key:
        rows.append([as_text(f"Показатели по точкам контакта (95% интервалы; меньше {catalog.SMALL_SAMPLE} "
                             f"ответов — «{catalog.SMALL_SAMPLE_LABEL}»)")])
        rows += measurement_rows(wb)
    return rows


def write_dashboard(book: xw.Book, wb: CheckedWorkbook, today: dt.date | None = None) -> xw.Sheet:
    """Replace «Панель» with a fresh one placed first and shown."""
    old = find_sheet(book, DASHBOARD_SHEET)
    if old is not None:
        old.delete()
    sheet = book.sheets.add(name=DASHBOARD_SHEET, before=book.sheets[0])
    rows: Sequence[Row] = dashboard_rows(wb, today or dt.date.today())
    write_block(sheet, "A1", rows)
    best_effort(lambda: setattr(sheet.range("A1").font, "bold", True))
    set_column_widths(book, sheet, WIDTHS)
    sheet.activate()
    return sheet
