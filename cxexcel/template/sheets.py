"""The input sheets: Excel tables with one header row, and two-column forms."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from cxexcel.forms import Column, TableSheet
from cxexcel.template.cells import write_value
from cxexcel.template.context import NOTE_AUTHOR, Book
from cxexcel.template.styles import fit_row, wrapped_lines, wraps
from cxexcel.template.validation import column_note, data_validation, list_values

TABLE_STYLE = "Table Style Medium 2"
A4_PAPER = 9
FORM_LABEL_MIN_WIDTH = 30

Row = Mapping[str, object]


def check_keys(sheet_name: str, known: Sequence[Column], values: Row) -> None:
    """Refuse values for columns the declaration does not have: a typo would vanish silently."""
    unknown = sorted(set(values) - {c.key for c in known})
    if unknown:
        raise ValueError(f"{sheet_name}: unknown column keys {unknown}")


def add_note(sheet: Worksheet, row: int, col: int, column: Column) -> None:
    """The column's note on its header or label cell, sized to its text."""
    note = column_note(column)
    if not note:
        return
    lines = sum(math.ceil(len(line) / 45) or 1 for line in note.splitlines())
    size = {"x_scale": 2.2, "y_scale": max(1.0, lines / 4)}
    sheet.write_comment(row, col, note, {"author": NOTE_AUTHOR, **size})


def add_validation(
    book: Book, sheet: Worksheet, column: Column, col: int, first_row: int, last_row: int
) -> None:
    """Validate rows first_row..last_row of one column as the declaration says."""
    values = list_values(column)
    list_name = book.lists.name_for(column.key, values) if values else None
    options = data_validation(column, xl_rowcol_to_cell(first_row, col), list_name)
    if options is None:
        return
    if sheet.data_validation(first_row, col, last_row, col, options) != 0:
        raise ValueError(f"{sheet.name}: Excel would reject the validation of «{column.title}»")


def print_setup(sheet: Worksheet, *, landscape: bool, repeat_header: bool) -> None:
    """A4, one page wide: the sheets are printed to be signed and filed."""
    sheet.set_paper(A4_PAPER)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if repeat_header:
        sheet.repeat_rows(0)


def _text_lines(value: object, column: Column, *, prefilled: bool = False) -> int:
    if isinstance(value, str) and wraps(column, prefilled=prefilled):
        return wrapped_lines(value, column.width)
    return 1


def write_table_sheet(
    book: Book,
    declaration: TableSheet,
    rows: Sequence[Row],
    *,
    table_rows: int,
    prefilled_rows: int,
    input_rows: int,
) -> Worksheet:
    """An Excel table at A1 with table_rows data rows; the first prefilled_rows come from the programme."""
    columns = declaration.columns
    sheet = book.workbook.add_worksheet(declaration.name)
    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.width, book.styles.column(column))
    header_format = book.styles.get(bold=True, wrap=True)
    sheet.add_table(0, 0, max(table_rows, 1), len(columns) - 1, {
        "name": declaration.table_name,
        "style": TABLE_STYLE,
        "columns": [{"header": c.header, "header_format": header_format} for c in columns],
    })
    # headers always wrap (bold is wider, hence the smaller width)
    fit_row(sheet, 0, max(2, *(wrapped_lines(c.header, c.width * 0.9) for c in columns)))
    for index, row in enumerate(rows):
        check_keys(declaration.name, columns, row)
        from_programme = index < prefilled_rows
        lines = (_text_lines(row.get(c.key), c, prefilled=from_programme and c.prefilled) for c in columns)
        fit_row(sheet, index + 1, max(lines))
        for col, column in enumerate(columns):
            write_value(sheet, index + 1, col, row.get(column.key), column, book.styles,
                        prefilled=from_programme and column.prefilled)
    last_row = max(input_rows, table_rows)
    for col, column in enumerate(columns):
        add_note(sheet, 0, col, column)
        add_validation(book, sheet, column, col, 1, last_row)
    sheet.freeze_panes(1, 0)
    print_setup(sheet, landscape=True, repeat_header=True)
    return sheet


def write_form_sheet(book: Book, name: str, fields: Sequence[Column], values: Row) -> Worksheet:
    """Labels in column A (required ones end with "*"), values in column B, sections as bold rows."""
    check_keys(name, fields, values)
    sheet = book.workbook.add_worksheet(name)
    label_width = max(FORM_LABEL_MIN_WIDTH, *(len(f.header) + 2 for f in fields))
    sheet.set_column(0, 0, label_width, book.styles.get(wrap=True))
    value_width = max(f.width for f in fields)
    sheet.set_column(1, 1, value_width)
    label_format = book.styles.get(wrap=True, border=True)
    section_format = book.styles.get(bold=True, size=12)
    row = 0
    section = ""
    for field in fields:
        if field.section and field.section != section:
            if row:
                row += 1  # an empty line before each section after the first
            sheet.write_string(row, 0, field.section, section_format)
            section = field.section
            row += 1
        sheet.write_string(row, 0, field.header, label_format)
        # the value cell is as wide as the widest field: wrap text by that width
        value_field = replace(field, width=value_width)
        value = values.get(field.key)
        fit_row(sheet, row, max(wrapped_lines(field.header, label_width), _text_lines(value, value_field)))
        add_note(sheet, row, 0, field)
        write_value(sheet, row, 1, value, value_field, book.styles, border=True)
        add_validation(book, sheet, field, 1, row, row)
        row += 1
    print_setup(sheet, landscape=False, repeat_header=False)
    return sheet
