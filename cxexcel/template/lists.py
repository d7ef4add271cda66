"""Drop-down lists kept on a hidden sheet, each reachable by a defined name."""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook

from cxexcel.fileio import xlsxwriter_text
from cxexcel.forms import catalog

# Lists live on a sheet rather than inline in the validation: Excel limits an inline
# list to 255 characters (the 89 regions need far more) and splits it at commas,
# which «Время ожидания, мин» contains.
LISTS_SHEET = catalog.LISTS_SHEET
NAME_PREFIX = "list_"


def _quoted(sheet_name: str) -> str:
    return "'" + sheet_name.replace("'", "''") + "'"


class ListRegistry:
    """Collects the lists a workbook's validations need; identical lists share one name."""

    def __init__(self) -> None:
        self._name_by_values: dict[tuple[str, ...], str] = {}
        self._lists: list[tuple[str, tuple[str, ...]]] = []

    def name_for(self, key: str, values: tuple[str, ...]) -> str:
        """The defined name of this list, registering it under a name derived from key."""
        existing = self._name_by_values.get(values)
        if existing is not None:
            return existing
        taken = {name.casefold() for name, _ in self._lists}
        name = f"{NAME_PREFIX}{key}"
        suffix = 2
        while name.casefold() in taken:
            name = f"{NAME_PREFIX}{key}_{suffix}"
            suffix += 1
        self._name_by_values[values] = name
        self._lists.append((name, values))
        return name

    def write(self, workbook: Workbook) -> None:
        """Add the hidden lists sheet (call after every other sheet) and define the names."""
        sheet = workbook.add_worksheet(LISTS_SHEET)
        for col, (name, values) in enumerate(self._lists):
            # the first row names the list, for whoever unhides the sheet
            sheet.write_string(0, col, name)
            for row, value in enumerate(values, start=1):
                sheet.write_string(row, col, xlsxwriter_text(value))
            letter = xl_col_to_name(col)
            workbook.define_name(name, f"={_quoted(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}")
            sheet.set_column(col, col, max(len(v) for v in values) if values else 10)
        sheet.hide()
