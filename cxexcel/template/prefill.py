"""Rows the template fills from the programme: one per regulation item on the roadmap."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from cxexcel.forms import TableSheet
from cxexcel.programme import Programme, ProgrammeItem

Row = Mapping[str, object]

# prefilled column key -> the item's value; the deadline as the regulation words it,
# since 2.1.9 has four and some items run "на протяжении всего периода"
PROGRAMME_VALUES: dict[str, Callable[[ProgrammeItem], str]] = {
    "code": lambda item: item.code,
    "title": lambda item: item.title,
    "deadline": lambda item: item.deadline_text,
    "result": lambda item: item.result,
}
CODE_KEY = "code"


def takes_programme_rows(sheet: TableSheet) -> bool:
    """A sheet whose prefilled columns are the programme's items (the roadmap)."""
    prefilled = {c.key for c in sheet.columns if c.prefilled}
    return CODE_KEY in prefilled and prefilled <= set(PROGRAMME_VALUES)


def programme_rows(sheet: TableSheet, programme: Programme) -> list[dict[str, object]]:
    """One row per programme item with the sheet's prefilled columns filled."""
    keys = [c.key for c in sheet.columns if c.prefilled]
    return [{key: PROGRAMME_VALUES[key](item) for key in keys} for item in programme.items]


def merge_rows(sheet: TableSheet, programme: Programme, data: Sequence[Row]) -> tuple[list[Row], int]:
    """The sheet's rows and how many of them are the programme's.

    A data row whose code is a programme item's (or its alias, e.g. "2.2.2") completes
    that item's row, its own values winning; other rows (the region's «Р.1» …) follow
    the programme rows. Programme rows are never dropped: a region may not delete them.
    """
    if not takes_programme_rows(sheet):
        return list(data), 0
    rows: list[dict[str, object]] = programme_rows(sheet, programme)
    index_by_code = {item.code: i for i, item in enumerate(programme.items)}
    own_rows: list[Row] = []
    for row in data:
        item = programme.item(str(row.get(CODE_KEY) or ""))
        if item is None:
            own_rows.append(row)
        else:
            rows[index_by_code[item.code]].update(row)
    return [*rows, *own_rows], len(rows)
