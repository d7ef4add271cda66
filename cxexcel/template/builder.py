"""Writes one standard workbook, empty or filled, from the declaration of its kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from xlsxwriter.workbook import Workbook

from cxexcel import __version__
from cxexcel.fileio import atomic_output
from cxexcel.forms import KINDS, FormSheet, Level, TableSheet, WorkbookKind, catalog, title_fields
from cxexcel.programme import Programme, default_programme
from cxexcel.template.chart import add_emotion_chart, has_emotion_curve
from cxexcel.template.context import Book
from cxexcel.template.instructions import write_instruction_content
from cxexcel.template.naming import template_filename
from cxexcel.template.prefill import merge_rows
from cxexcel.template.sheets import write_form_sheet, write_table_sheet
from cxexcel.template.summary_formulas import default_codes, source_sheet, write_summary_sheet
from cxexcel.template.validation import INPUT_ROWS, MEASUREMENT_INPUT_ROWS

# document dates are fixed so that the same input gives byte-identical XML
FIXED_CREATED = dt.datetime(2021, 7, 26, 0, 0, 0)
GENERATOR = f"cxexcel {__version__}"

# sheet name -> rows (tables) or key -> value (forms, «Титул»); «Сводка» takes touchpoint codes
WorkbookData = Mapping[str, object]


def build_workbook(
    kind_key: str,
    path: str | Path,
    *,
    programme: Programme | None = None,
    region: str | None = None,
    czn: str | None = None,
    report_date: dt.date | None = None,
    data: WorkbookData | None = None,
) -> Path:
    """Write the workbook of kind kind_key to path and return path.

    Without data it is the empty template. data maps a sheet name to its content:
    a list of rows keyed by column key for a table, a dict key -> value for a form or
    «Титул», and for «Сводка» a list of touchpoint codes. Tables grow to fit their rows.
    """
    if kind_key not in KINDS:
        raise ValueError(f"unknown workbook kind {kind_key!r}; known: {', '.join(KINDS)}")
    kind = KINDS[kind_key]
    programme = programme or default_programme()
    data = dict(data or {})
    known_sheets = {s.name for s in kind.sheets} | {catalog.TITLE_SHEET, catalog.MEASUREMENT_SUMMARY_SHEET}
    unknown = set(data) - known_sheets
    if unknown:
        raise ValueError(f"{kind_key}: no sheets {sorted(unknown)}")
    path = Path(path)
    with atomic_output(path) as tmp:
        workbook = Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                       "strings_to_urls": False})
        book = Book(workbook, programme)
        _write_book(book, kind, region=region, czn=czn, report_date=report_date, data=data)
        workbook.close()
    return path


def build_templates(
    out_dir: str | Path,
    kind_keys: Iterable[str] | None = None,
    *,
    programme: Programme | None = None,
    region: str | None = None,
    czn: str | None = None,
) -> list[Path]:
    """Write one empty template per kind (all kinds by default) into out_dir, named by template_filename.

    The federal journal is the ФЦК's own: a region given for the others is not put on it.
    """
    out_dir = Path(out_dir)
    paths = []
    for key in kind_keys or KINDS:
        kind = KINDS[key]
        owner_region = None if kind.level is Level.FEDERAL else region
        paths.append(build_workbook(key, out_dir / template_filename(kind, owner_region, czn),
                                    programme=programme, region=owner_region, czn=czn))
    return paths


def _write_book(
    book: Book,
    kind: WorkbookKind,
    *,
    region: str | None,
    czn: str | None,
    report_date: dt.date | None,
    data: dict[str, object],
) -> None:
    """The sheets in the standard's order: Инструкция, Титул, the kind's own, then _meta and _lists."""
    workbook = book.workbook
    workbook.set_properties({
        "title": kind.title,
        "subject": book.programme.title,
        "author": GENERATOR,
        "company": "",
        "created": FIXED_CREATED,
    })
    # added now so that it is the first sheet; filled once the sheets it describes are known
    workbook.add_worksheet(catalog.INSTRUCTION_SHEET)
    title_values: dict[str, object] = {"region": region, "czn": czn, "report_date": report_date}
    title_fields_ = title_fields(kind)
    known = {f.key for f in title_fields_}
    title_values = {k: v for k, v in title_values.items() if k in known and v is not None}
    title_values.update(_form_data(data, catalog.TITLE_SHEET))
    write_form_sheet(book, catalog.TITLE_SHEET, title_fields_, title_values)

    answers = source_sheet(kind)
    for sheet in kind.sheets:
        if isinstance(sheet, FormSheet):
            write_form_sheet(book, sheet.name, sheet.fields, _form_data(data, sheet.name))
        else:
            input_rows = MEASUREMENT_INPUT_ROWS if sheet is answers else INPUT_ROWS
            _write_table(book, sheet, data, input_rows=input_rows)
    if answers is not None:
        write_summary_sheet(book, answers, _summary_codes(data.get(catalog.MEASUREMENT_SUMMARY_SHEET)))
    write_instruction_content(book, kind)
    _write_meta(book, kind)
    book.lists.write(workbook)


def _write_table(book: Book, sheet: TableSheet, data: Mapping[str, object], *, input_rows: int) -> None:
    given = sheet.name in data
    rows, prefilled = merge_rows(sheet, book.programme, _table_data(data, sheet.name))
    # the empty template offers blank rows to type into; a filled workbook is sized to its rows
    table_rows = len(rows) if given else len(rows) + sheet.blank_rows
    worksheet = write_table_sheet(book, sheet, rows, table_rows=table_rows, prefilled_rows=prefilled,
                                  input_rows=input_rows)
    if has_emotion_curve(sheet):
        add_emotion_chart(book, worksheet, sheet, max(table_rows, 1))


def _write_meta(book: Book, kind: WorkbookKind) -> None:
    sheet = book.workbook.add_worksheet(catalog.META_SHEET)
    entries = {
        "kind": kind.key,
        "template_version": catalog.TEMPLATE_VERSION,
        "programme_version": book.programme.version,
        "generator": GENERATOR,
    }
    for row, (key, value) in enumerate(entries.items()):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    sheet.set_column(0, 1, 20)
    sheet.hide()


def _table_data(data: Mapping[str, object], name: str) -> Sequence[Mapping[str, object]]:
    rows = data.get(name, ())
    if isinstance(rows, str) or not isinstance(rows, Sequence):
        raise TypeError(f"data[{name!r}] must be a list of rows (dicts keyed by column key)")
    checked: list[Mapping[str, object]] = []
    for row in rows:
        if not isinstance(row, Mapping):
            raise TypeError(f"data[{name!r}]: a row must be a dict keyed by column key, not {row!r}")
        checked.append(row)
    return checked


def _form_data(data: Mapping[str, object], name: str) -> Mapping[str, object]:
    values = data.get(name, {})
    if not isinstance(values, Mapping):
        raise TypeError(f"data[{name!r}] must be a dict of field key -> value")
    return values


def _summary_codes(given: object) -> list[str]:
    if given is None:
        return default_codes()
    if not isinstance(given, Sequence) or isinstance(given, str):
        raise TypeError(f"data[{catalog.MEASUREMENT_SUMMARY_SHEET!r}] must be a list of touchpoint codes")
    codes = [str(c) for c in given]
    # rows the user may still fill: never fewer than the template offers
    return codes + [""] * (catalog.SUMMARY_TOUCHPOINT_ROWS - len(codes))
