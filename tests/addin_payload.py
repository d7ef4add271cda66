"""Test helpers: the JSON Excel's Office.js client sends for a real .xlsx, and replaying xlwings' answer.

`payload_from_xlsx` builds what xlwings Server's `getBookData()` (static/js/custom-scripts/index.js of
xlwings-server) sends: per sheet the values of A1 to the last used cell (dates as ISO strings, empty
cells as ""), the values-only used range, notes' addresses, tables; book-level names. `replay` applies
the returned actions to a copy of the workbook with openpyxl, as Excel would.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import xlwings as xw
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation

_HYPERLINK = re.compile(r'^=HYPERLINK\("(?:[^"]|"")*","((?:[^"]|"")*)"\)$', re.IGNORECASE)
_VISIBILITY = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}


def _address(min_row: int, min_col: int, max_row: int, max_col: int) -> str:
    first = f"{get_column_letter(min_col)}{min_row}"
    last = f"{get_column_letter(max_col)}{max_row}"
    return first if first == last else f"{first}:{last}"


def _cell_value(value: Any, formula: Any) -> Any:
    """What Office.js reports for a cell: a formula's computed value, dates as ISO strings."""
    if isinstance(formula, str) and formula.startswith("=") and value is None:
        # a formula written by replay has no cached result: Excel would show the link's text
        match = _HYPERLINK.match(formula)
        value = match.group(1).replace('""', '"') if match else None
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    if isinstance(value, dt.time):
        return value.hour / 24 + value.minute / 1440 + value.second / 86400
    return value


def payload_from_xlsx(path: str | Path, *, selection: str | None = None,
                      active_sheet: str | None = None) -> dict[str, Any]:
    """The request body Office.js sends for this workbook, as xlwings Server receives it."""
    book = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in book.worksheets:
        values_ws = cached[ws.title]
        grid: dict[tuple[int, int], Any] = {}
        for row in ws.iter_rows():
            for cell in row:
                value = _cell_value(values_ws.cell(cell.row, cell.column).value, cell.value)
                if value != "":
                    grid[(cell.row, cell.column)] = value
        if grid:
            rows = [r for r, _ in grid]
            cols = [c for _, c in grid]
            used = (min(rows), min(cols), max(rows), max(cols))
            values = [[grid.get((r, c), "") for c in range(1, used[3] + 1)] for r in range(1, used[2] + 1)]
            used_address: str | None = _address(*used)
            used_rows, used_cols = used[2] - used[0] + 1, used[3] - used[1] + 1
        else:
            values, used_address, used_rows, used_cols = [[""]], None, 0, 0
        notes = [{"address": cell.coordinate} for row in ws.iter_rows() for cell in row if cell.comment]
        tables = []
        for table in ws.tables.values():
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            tables.append({
                "name": table.name,
                "range_address": table.ref,
                "row_count": max_row - min_row + 1,
                "column_count": max_col - min_col + 1,
                "columns": [c.name for c in table.tableColumns],
                "header_row_range_address": _address(min_row, min_col, min_row, max_col),
                "data_body_range_address": _address(min_row + 1, min_col, max_row, max_col),
                "total_row_range_address": None,
                "show_headers": True,
                "show_totals": False,
                "table_style": table.tableStyleInfo.name if table.tableStyleInfo else None,
                "show_autofilter": True,
                "show_table_style_first_column": False,
                "show_table_style_last_column": False,
                "show_table_style_row_stripes": True,
                "show_table_style_column_stripes": False,
            })
        sheets.append({
            "name": ws.title,
            "visibility": _VISIBILITY.get(ws.sheet_state, "Visible"),
            "show_gridlines": True,
            "print_area": None,
            "notes": notes,
            "notes_supported": True,
            "used_range_address": used_address,
            "used_range_row_count": used_rows,
            "used_range_column_count": used_cols,
            "values": values,
            "pictures": [],
            "shapes": [],
            "charts": [],
            "tables": tables,
            "pivot_tables": [],
        })
    names = []
    for name, defined in book.defined_names.items():
        destinations = list(defined.destinations)
        if len(destinations) != 1:
            continue
        sheet_name, ref = destinations[0]
        names.append({
            "name": name,
            "refers_to": "=" + defined.attr_text,
            "type": "Range",
            "sheet_index": book.sheetnames.index(sheet_name),
            "address": ref.replace("$", ""),
            "scope_sheet_name": None,
            "scope_sheet_index": None,
            "book_scope": True,
        })
    active = book[active_sheet] if active_sheet else book.active
    assert active is not None
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {
            "name": Path(path).name,
            "active_sheet_index": book.worksheets.index(active),
            "selection": selection or active.active_cell,
            "calculation": "Automatic",
        },
        "names": names,
        "sheets": sheets,
    }


def _hex_fill(colour: str | None) -> PatternFill:
    if colour is None:
        return PatternFill(fill_type=None)
    rgb = "FF" + colour.lstrip("#").upper()
    return PatternFill("solid", start_color=rgb, end_color=rgb)


def _python_value(value: Any, cell: Any) -> Any:
    """What Excel makes of a value Office.js writes: "'" keeps text, "=" starts a formula."""
    if isinstance(value, str):
        if value.startswith("'"):
            cell.quotePrefix = True
            return value[1:]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value)
        return value or None
    return value


class Replay:
    """Applies xlwings' actions to an openpyxl workbook, remembering alerts and the selection."""

    def __init__(self, book: openpyxl.Workbook) -> None:
        self.book = book
        self.alerts: list[list[Any]] = []
        self.selected: tuple[str, str] | None = None

    def _sheet(self, action: dict[str, Any]) -> Any:
        return self.book.worksheets[action["sheet_position"]]

    def _cells(self, action: dict[str, Any]) -> list[list[Any]]:
        ws = self._sheet(action)
        top, left = action["start_row"] + 1, action["start_column"] + 1
        return [[ws.cell(top + r, left + c) for c in range(action["column_count"])]
                for r in range(action["row_count"])]

    def apply(self, actions: list[dict[str, Any]]) -> None:
        for action in actions:
            handler = getattr(self, "do_" + action["func"], None)
            assert handler is not None, f"replay does not know {action['func']}"
            handler(action)

    def do_setValues(self, action: dict[str, Any]) -> None:
        for cells, values in zip(self._cells(action), action["values"], strict=True):
            for cell, value in zip(cells, values, strict=True):
                cell.value = _python_value(value, cell)

    def do_setRangeColor(self, action: dict[str, Any]) -> None:
        for cells in self._cells(action):
            for cell in cells:
                cell.fill = _hex_fill(action["args"][0])

    def do_addNote(self, action: dict[str, Any]) -> None:
        cell = self._sheet(action)[action["args"][0]]
        assert cell.comment is None, f"Excel refuses a second note on {cell.coordinate}"
        cell.comment = Comment(action["args"][1], "cxexcel")

    def do_deleteNote(self, action: dict[str, Any]) -> None:
        self._sheet(action)[action["args"][0]].comment = None

    def do_addSheet(self, action: dict[str, Any]) -> None:
        self.book.create_sheet(action["args"][1], action["args"][0])

    def do_sheetDelete(self, action: dict[str, Any]) -> None:
        self.book.remove(self._sheet(action))

    def do_activateSheet(self, action: dict[str, Any]) -> None:
        self.book.active = action["args"][0]

    def do_setSheetVisibility(self, action: dict[str, Any]) -> None:
        self._sheet(action).sheet_state = "visible" if action["args"][0] == "Visible" else "hidden"

    def do_rangeSelect(self, action: dict[str, Any]) -> None:
        cell = self._cells(action)[0][0]
        self.selected = (self._sheet(action).title, cell.coordinate)

    def do_setFontProperty(self, action: dict[str, Any]) -> None:
        name, value = action["args"][0], action["args"][1]
        for cells in self._cells(action):
            for cell in cells:
                cell.font = Font(**{name: value})

    def do_setColumnWidth(self, action: dict[str, Any]) -> None:
        letter = get_column_letter(action["start_column"] + 1)
        self._sheet(action).column_dimensions[letter].width = action["args"][0] / 5.25

    def do_freezePaneAtRange(self, action: dict[str, Any]) -> None:
        self._sheet(action).freeze_panes = action["args"][0].replace("$", "")

    def do_deleteDataValidation(self, action: dict[str, Any]) -> None:
        ws = self._sheet(action)
        top, left = action["start_row"] + 1, action["start_column"] + 1
        bottom, right = top + action["row_count"] - 1, left + action["column_count"] - 1

        def overlaps(validation: DataValidation) -> bool:
            for cell_range in validation.sqref.ranges:
                min_col, min_row, max_col, max_row = cell_range.bounds
                if min_row <= bottom and top <= max_row and min_col <= right and left <= max_col:
                    return True
            return False

        ws.data_validations.dataValidation = [v for v in ws.data_validations.dataValidation if not overlaps(v)]

    def do_setDataValidationList(self, action: dict[str, Any]) -> None:
        source, _ = action["args"]
        assert source["type"] == "range"
        src = self.book.worksheets[source["sheet_position"]]
        first = f"${get_column_letter(source['start_column'] + 1)}${source['start_row'] + 1}"
        last = (f"${get_column_letter(source['start_column'] + source['column_count'])}"
                f"${source['start_row'] + source['row_count']}")
        validation = DataValidation(type="list", formula1=f"'{src.title}'!{first}:{last}")
        cells = self._cells(action)
        validation.add(f"{cells[0][0].coordinate}:{cells[-1][-1].coordinate}")
        self._sheet(action).add_data_validation(validation)

    def do_alert(self, action: dict[str, Any]) -> None:
        self.alerts.append(action["args"])


def replay(actions: dict[str, Any], source: str | Path, target: str | Path) -> Replay:
    """Copy `source` to `target` and apply the actions there, as Excel would."""
    shutil.copyfile(source, target)
    book = openpyxl.load_workbook(target)
    player = Replay(book)
    player.apply(actions["actions"])
    book.save(target)
    return player


def perform_on_payload(action_id: str, payload: dict[str, Any], *, desktop: bool = False) -> dict[str, Any]:
    """What xlwings Server would answer: the actions JSON of one action on a copy of this payload."""
    import copy

    import xlwings as xw

    from cxexcel.addin.actions import perform

    book = xw.Book(json=copy.deepcopy(payload))
    try:
        perform(action_id, book, desktop=desktop)
        return book.json()  # type: ignore[no-any-return]
    finally:
        book.close()
