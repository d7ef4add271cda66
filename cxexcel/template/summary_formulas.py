"""The «Сводка» of the measurements workbook: live COUNTIFS/AVERAGEIFS per touchpoint, no Python needed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from cxexcel.forms import TableSheet, WorkbookKind, catalog
from cxexcel.template.context import NOTE_AUTHOR, Book
from cxexcel.template.sheets import print_setup

TOUCHPOINT_KEY = "touchpoint_code"
METRIC_KEY = "metric"
VALUE_KEY = "value"

# metric definitions of FORMS.md §5, the same the metrics package computes
CSAT_SATISFIED = (4, 5)
NPS_PROMOTERS = (9, 10)
NPS_DETRACTORS = (0, 6)
CES_EASY = (5, 7)
FIRST_CONTACT_SOLVED = (1, 1)

TOTAL_LABEL = "Все точки"
# every answer of every touchpoint: "<>" matches any non-empty code
_ANY_CODE = '"<>"'


def source_sheet(kind: WorkbookKind) -> TableSheet | None:
    """The sheet of raw answers the summary counts, if the kind has one."""
    for sheet in kind.table_sheets:
        if {TOUCHPOINT_KEY, METRIC_KEY, VALUE_KEY} <= {c.key for c in sheet.columns}:
            return sheet
    return None


def default_codes() -> list[str]:
    """"ТК-01" … "ТК-40": a start the user overwrites with the journey's codes."""
    return [f"{catalog.TOUCHPOINT_CODE_PREFIX}{n:02d}" for n in range(1, catalog.SUMMARY_TOUCHPOINT_ROWS + 1)]


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(frozen=True)
class AnswerRanges:
    """Whole columns of the answers sheet.

    Not structured references: rows typed below the table are not part of it in
    LibreOffice, yet they are answers and must be counted.
    """

    touchpoint: str
    metric: str
    value: str

    @classmethod
    def of(cls, sheet: TableSheet) -> AnswerRanges:
        quoted = "'" + sheet.name.replace("'", "''") + "'"

        def column(key: str) -> str:
            letter = xl_col_to_name([c.key for c in sheet.columns].index(key))
            return f"{quoted}!${letter}:${letter}"

        return cls(column(TOUCHPOINT_KEY), column(METRIC_KEY), column(VALUE_KEY))

    def criteria(self, code: str, metric: str, low: float, high: float | None) -> str:
        parts = [self.touchpoint, code, self.metric, _text(metric), self.value, _text(f">={_number(low)}")]
        if high is not None:
            parts += [self.value, _text(f"<={_number(high)}")]
        return ",".join(parts)


# (touchpoint criterion, Excel row number) -> formula without "="
Body = Callable[[str, int], str]


@dataclass(frozen=True)
class SummaryColumn:
    header: str
    note: str
    number_format: str
    body: Body


def _scale(metric: str) -> tuple[float, float | None]:
    spec = catalog.METRICS_BY_NAME[metric]
    return spec.minimum, spec.maximum


def summary_columns(ranges: AnswerRanges) -> list[SummaryColumn]:
    """The figures per touchpoint, in sheet order from column B."""
    columns: list[SummaryColumn] = []

    def add(header: str, note: str, number_format: str, body: Body) -> str:
        columns.append(SummaryColumn(header, note, number_format, body))
        return xl_col_to_name(len(columns))  # column A holds the code

    def count(metric: str, low: float, high: float | None) -> Body:
        return lambda code, row: f"COUNTIFS({ranges.criteria(code, metric, low, high)})"

    def mean(metric: str) -> Body:
        return lambda code, row: (
            f'IFERROR(AVERAGEIFS({ranges.value},{ranges.criteria(code, metric, *_scale(metric))}),"")'
        )

    def share(metric: str, band: tuple[int, int], n_letter: str) -> Body:
        return lambda code, row: (
            f'IFERROR(COUNTIFS({ranges.criteria(code, metric, *band)})/{n_letter}{row}*100,"")'
        )

    csat, nps, ces = catalog.CSAT, catalog.NPS, catalog.CES
    n_csat = add(f"n {csat}", f"Число ответов {csat} на шкале 1–5.", "0", count(csat, *_scale(csat)))
    add(f"{csat}, средний балл", f"Средний балл {csat} (1–5).", "0.00", mean(csat))
    add(f"{csat}, % (4–5)", "Доля ответов 4–5 среди ответов 1–5, %.", "0.0",
        share(csat, CSAT_SATISFIED, n_csat))
    n_nps = add(f"n {nps}", f"Число ответов {nps} на шкале 0–10.", "0", count(nps, *_scale(nps)))
    add(nps, "% ответов 9–10 минус % ответов 0–6, от −100 до 100.", "0", lambda code, row: (
        f'IFERROR((COUNTIFS({ranges.criteria(code, nps, *NPS_PROMOTERS)})'
        f'-COUNTIFS({ranges.criteria(code, nps, *NPS_DETRACTORS)}))/{n_nps}{row}*100,"")'
    ))
    n_ces = add(f"n {ces}", f"Число ответов {ces} на шкале 1–7.", "0", count(ces, *_scale(ces)))
    add(f"{ces}, средний балл", f"Средний балл {ces} (1–7, 7 — очень легко).", "0.00", mean(ces))
    add(f"{ces}, % (5–7)", "Доля ответов 5–7 среди ответов 1–7, %.", "0.0", share(ces, CES_EASY, n_ces))
    for metric in (catalog.WAIT_TIME, catalog.SERVICE_TIME):
        add(f"{metric} (среднее)", "Среднее по наблюдениям с числом не меньше 0.", "0.0", mean(metric))
    solved = catalog.FIRST_CONTACT
    add(f"{solved}, %", "Доля значений 1 среди значений 0 и 1, %.", "0.0", lambda code, row: (
        f'IFERROR(COUNTIFS({ranges.criteria(code, solved, *FIRST_CONTACT_SOLVED)})'
        f'/COUNTIFS({ranges.criteria(code, solved, *_scale(solved))})*100,"")'
    ))
    small = [(n_csat, csat), (n_nps, nps), (n_ces, ces)]

    def flag(code: str, row: int) -> str:
        # names the metrics with some but fewer than SMALL_SAMPLE answers; "" when none
        listed = "&".join(
            f'IF(AND({n}{row}>0,{n}{row}<{catalog.SMALL_SAMPLE}),", {metric}","")' for n, metric in small
        )
        return f'IF({listed}="","",{_text(catalog.SMALL_SAMPLE_LABEL + ": ")}&MID({listed},3,200))'

    add("Примечание", f"«{catalog.SMALL_SAMPLE_LABEL}» — меньше {catalog.SMALL_SAMPLE} ответов по метрике: "
        "показатель ненадежен.", "@", flag)
    return columns


def write_summary_sheet(book: Book, source: TableSheet, codes: Sequence[str]) -> Worksheet:
    """Rows of touchpoint codes (editable) with their live figures, then the total row."""
    ranges = AnswerRanges.of(source)
    columns = summary_columns(ranges)
    code_column = next(c for c in source.columns if c.key == TOUCHPOINT_KEY)
    sheet = book.workbook.add_worksheet(catalog.MEASUREMENT_SUMMARY_SHEET)
    styles = book.styles
    header = styles.header()
    sheet.set_column(0, 0, max(code_column.width, 16))
    sheet.set_column(1, len(columns), 13)
    # the note names up to three metrics
    sheet.set_column(len(columns), len(columns), 28)
    sheet.set_row(0, 48)
    sheet.write_string(0, 0, code_column.title, header)
    # formulas cannot know what the checks reject: say so where the figures are read
    sheet.write_comment(0, 0, f"Коды точек контакта, как они записаны на листе «{source.name}». Их можно заменить; "
                        "показатели пересчитываются сами. Формулы считают каждую строку листа как есть, в том "
                        "числе строки с ошибками (их отмечает проверка); показатели без таких строк — на листе "
                        f"«{catalog.DASHBOARD_SHEET}» надстройки и в своде.", {"author": NOTE_AUTHOR, "x_scale": 2.2})
    for col, column in enumerate(columns, start=1):
        sheet.write_string(0, col, column.header, header)
        sheet.write_comment(0, col, column.note, {"author": NOTE_AUTHOR, "x_scale": 2.2})
    code_format = styles.get(num_format="@", border=True, unlocked=True)
    for index, code in enumerate(codes, start=1):
        if code:
            sheet.write_string(index, 0, code, code_format)
        else:
            sheet.write_blank(index, 0, None, code_format)
        row = index + 1
        for col, column in enumerate(columns, start=1):
            formula = f'=IF($A{row}="","",{column.body(f"$A{row}", row)})'
            cell_format = styles.get(num_format=column.number_format, border=True)
            # no cached result: Excel and LibreOffice compute the figures when the file opens
            sheet.write_formula(index, col, formula, cell_format, "")
    total = len(codes) + 1
    sheet.write_string(total, 0, TOTAL_LABEL, styles.get(bold=True, border=True))
    for col, column in enumerate(columns, start=1):
        sheet.write_formula(total, col, "=" + column.body(_ANY_CODE, total + 1),
                            styles.get(num_format=column.number_format, bold=True, border=True), "")
    sheet.freeze_panes(1, 1)
    print_setup(sheet, landscape=True, repeat_header=True)
    return sheet
