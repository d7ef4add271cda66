"""Property tests (issue 7): arbitrary cell values through the reader and every rule of every kind.

Workbooks are built in memory (cxexcel.read.ValuesSource) from values of every type a reader or the
add-in can hand over: text in any script (lone surrogates too), NaN, infinities, huge integers,
dates, times, booleans, None, strings longer than Excel allows. Whatever they hold, no exception
escapes, every issue has a known code and points to a real cell of a real sheet (or to none), the
report is strict JSON, and the values can be written as text to both spreadsheet writers.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

import openpyxl
import python_calamine as pc
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxexcel.fileio import xml_text
from cxexcel.forms import KINDS, Column, ColumnType, TableSheet, catalog, title_fields
from cxexcel.issues import RULES, Code, Severity
from cxexcel.read import ValuesSource
from cxexcel.read.normalize import parse_cell_ref
from cxexcel.validate import check_values, render_text
from cxexcel.validate.cells import column_choices
from cxexcel.validate.mark import set_text
from cxexcel.validate.report import Report
from tests.hostile_corpus import PAYLOADS

SETTINGS = settings(max_examples=1000, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

any_text = st.text(alphabet=st.characters(), max_size=40)  # every code point, lone surrogates included
tricky_text = st.sampled_from([
    "", " ", "\u00a0", "\t\n", "=1+1", *PAYLOADS, "01.09.2021", "31.02.2021", "1 сентября 2021 г.", "2021-09-01T10:00",
    "4,5", "−3", "1e400", "nan", "inf", "ТК-01", "тк-01 ", "Выполнено", "Bыполнено", "Закрыт", "CSAT", "NPS",
    "Пермский край", "#DIV/0!", "\x00\x01\x1f", "\ufffe\uffff", "\u202eabc", "x" * 40_000, "Ж" * 32_767,
])
numbers = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 2.5, 44470, 44470.75, 2_958_466, -0.0, 1e308, 5e-324]),
)
cell_values = st.one_of(
    st.none(), any_text, tricky_text, numbers, st.booleans(),
    st.dates(min_value=dt.date(1, 1, 1)), st.datetimes(), st.times(), st.timedeltas(),
)


def plausible(col: Column) -> st.SearchStrategy[Any]:
    """Values of the column's own type, so that the rules beyond the cell rules run too."""
    if col.type is ColumnType.DATE:
        return st.one_of(st.dates(min_value=dt.date(2021, 6, 1), max_value=dt.date(2022, 3, 1)),
                         st.integers(min_value=44300, max_value=44700))
    if col.type in (ColumnType.INTEGER, ColumnType.NUMBER):
        return st.one_of(st.integers(min_value=-3, max_value=12), st.floats(min_value=-3, max_value=12))
    if col.type is ColumnType.CHOICE:
        return st.sampled_from(column_choices(col))
    if "touchpoint" in col.key or col.key == "code":
        return st.sampled_from(["ТК-01", "ТК-02", "ТК-03", "тк-01", "1.4", "2.1.9", "2.2.2", "Р.1", "3.1"])
    return st.one_of(any_text, st.just("Иванова М.П."))


def value_for(col: Column) -> st.SearchStrategy[Any]:
    return st.one_of(plausible(col), plausible(col), cell_values)


@st.composite
def workbooks(draw: st.DrawFn) -> ValuesSource:
    kind = KINDS[draw(st.sampled_from(sorted(KINDS)))]
    sheets: dict[str, list[list[Any]]] = {}
    if draw(st.integers(0, 4)):
        meta_kind = draw(st.sampled_from([kind.key, kind.key, *KINDS, "мусор", ""]))
        version = draw(st.sampled_from([catalog.TEMPLATE_VERSION, "0.9", "2.0", "x", ""]))
        sheets[catalog.META_SHEET] = [["kind", meta_kind], ["template_version", version]]
    if draw(st.integers(0, 6)):
        sheets[catalog.TITLE_SHEET] = [[f.title, draw(value_for(f))] for f in title_fields(kind)]
    for decl in kind.sheets:
        if not draw(st.integers(0, 8)):
            continue  # the sheet is missing
        name = decl.name if draw(st.integers(0, 5)) else f" {decl.name.upper()} "
        if isinstance(decl, TableSheet):
            columns = draw(st.permutations(decl.columns))
            columns = columns[: draw(st.integers(min_value=max(1, len(columns) - 2), max_value=len(columns)))]
            header = [c.header for c in columns] + draw(st.lists(cell_values, max_size=2))
            rows = [[draw(value_for(c)) for c in columns] + draw(st.lists(cell_values, max_size=2))
                    for _ in range(draw(st.integers(0, 6)))]
            blank = [[] for _ in range(draw(st.integers(0, 2)))]
            sheets[name] = [*blank, header, *rows]
        else:
            sheets[name] = [[f.title, draw(value_for(f))] for f in decl.fields]
    if draw(st.booleans()):
        sheets[draw(any_text)] = draw(st.lists(st.lists(cell_values, max_size=4), max_size=4))
    hidden = set(draw(st.sets(st.sampled_from(sorted(sheets)), max_size=2))) if sheets else set()
    return ValuesSource("Книга.xlsx", sheets, hidden, date1904=draw(st.booleans()))


@SETTINGS
@given(source=workbooks(), as_of=st.one_of(st.none(), st.dates(min_value=dt.date(2021, 1, 1),
                                                                   max_value=dt.date(2022, 12, 31))))
def test_any_values_give_a_report_whose_issues_point_to_real_cells(source: ValuesSource, as_of: dt.date | None) -> None:
    result = check_values(source, as_of=as_of)
    report = result.report()
    for issue in report.issues:
        assert issue.code in RULES and issue.code is not Code.INTERNAL_ERROR, issue.message
        assert issue.severity in (Severity.ERROR, Severity.WARNING)
        assert isinstance(issue.message, str) and issue.message
        if issue.cell is None:
            continue
        assert issue.sheet in source.sheets, (issue.code, issue.sheet)
        row, col = parse_cell_ref(issue.cell)
        rows = source.sheets[issue.sheet]
        width = max((len(r) for r in rows), default=0)
        # a cell of the sheet, or (an empty table, a form's missing value) the one just past its data
        assert 0 <= row <= len(rows) and 0 <= col <= width, (issue.code, issue.cell, len(rows), width)
    text = json.dumps(Report((report,)).to_dict(), allow_nan=False)  # strict JSON: no NaN, no Infinity
    assert json.loads(text)["counts"]["files"] == 1
    render_text(Report((report,)))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(values=st.lists(st.one_of(any_text, tricky_text, numbers, st.booleans(), st.datetimes()), min_size=1,
                       max_size=8))
def test_any_value_is_written_as_text_by_both_writers(values: list[Any]) -> None:
    """What --mark and the summary write stays text and never breaks the file."""
    book = openpyxl.Workbook()
    sheet = book.active
    for n, value in enumerate(values, start=1):
        set_text(sheet.cell(row=n, column=1), value)
    buffer = io.BytesIO()
    book.save(buffer)
    read = pc.CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).get_sheet_by_index(0).to_python(
        skip_empty_area=False)
    back = [row[0] for row in read] + [""] * (len(values) - len(read))
    # what XML keeps of a text: line ends read back as "\n" (the XML rule), forbidden characters as U+FFFD
    expected = [xml_text(v if isinstance(v, str) else str(v)).replace("\r\n", "\n").replace("\r", "\n")
                for v in values]
    # leading and trailing white space aside (readers differ on it)
    assert [b.strip() if isinstance(b, str) else b for b in back] == [e.strip() for e in expected]
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")

    buffer = io.BytesIO()
    summary = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = summary.add_worksheet()
    for n, value in enumerate(values):
        sheet.write_string(n, 0, xml_text(str(value)))
    summary.close()
    read = pc.CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).get_sheet_by_index(0).to_python()
    assert len(read) == len(values)
