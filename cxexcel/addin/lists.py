"""«Обновить списки»: the journey's touchpoint codes as the drop-down of every «Код точки контакта» column."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlwings as xw

from cxexcel.addin.book_io import as_text, book_folder, book_path, find_sheet, sheet_rows, values_source
from cxexcel.forms import catalog
from cxexcel.forms.kinds import JOURNEY, MEASUREMENTS
from cxexcel.read import RawForm, ReadWorkbook, read_values
from cxexcel.read.normalize import cell_ref, column_letter, normalize_title
from cxexcel.template.lists import LISTS_SHEET, NAME_PREFIX
from cxexcel.template.summary_formulas import TOTAL_LABEL
from cxexcel.template.validation import INPUT_ROWS, MEASUREMENT_INPUT_ROWS
from cxexcel.validate import centre_key, check_file, check_values
from cxexcel.validate.rules.journey import JOURNEY_SHEET, journey_touchpoints

TOUCHPOINT_KEY = "touchpoint_code"
# the column of the hidden lists sheet that holds the codes, named like the template's lists
TOUCHPOINT_LIST_HEADER = f"{NAME_PREFIX}{TOUCHPOINT_KEY}"
TITLE_SHEETS = (catalog.META_SHEET, catalog.TITLE_SHEET)


@dataclass(frozen=True)
class Journey:
    """Touchpoint codes of a journey and where they were found, for the message."""

    codes: tuple[str, ...]
    where: str


class ListsUnavailable(Exception):
    """The codes cannot be had here; the message tells the user why and what to do."""


def _centre(read: ReadWorkbook) -> tuple[str, str] | None:
    title: RawForm | None = read.title
    if title is None:
        return None
    region, czn = title.fields.get("region"), title.fields.get("czn")
    if region is None or czn is None or not region.raw or not czn.raw:
        return None
    return centre_key(str(region.raw), str(czn.raw))


def _journey_in_open_books(book: xw.Book, centre: tuple[str, str]) -> Journey | None:
    for app in xw.apps:
        for other in app.books:
            if other.name == book.name:
                continue
            try:
                head = read_values(values_source(other, only=TITLE_SHEETS))
            except Exception:  # not a standard workbook
                continue
            if head.kind.key != JOURNEY.key or _centre(head) != centre:
                continue
            result = check_values(values_source(other))
            if result.workbook is not None:
                return Journey(tuple(journey_touchpoints(result.workbook).values()),
                               f"открытой книги «{other.name}»")
    return None


def _journey_in_folder(folder: Path, own: str, centre: tuple[str, str]) -> Journey | None:
    for path in sorted(folder.glob("*.xlsx")):
        if path.name.startswith("~$") or str(path) == own:
            continue
        result = check_file(path, expected_kind=JOURNEY.key)
        wb = result.workbook
        if wb is not None and wb.region and wb.czn and centre_key(wb.region, wb.czn) == centre:
            return Journey(tuple(journey_touchpoints(wb).values()), f"файла «{path.name}» из той же папки")
    return None


def find_journey(book: xw.Book, read: ReadWorkbook, *, desktop: bool) -> Journey:
    """The journey workbook of the same centre: among the open workbooks, then in the same folder."""
    centre = _centre(read)
    if centre is None:
        raise ListsUnavailable(
            f"На листе «{catalog.TITLE_SHEET}» не заполнены «Субъект РФ» и «Наименование ЦЗН»: по ним "
            "находится книга «Путь клиента» того же ЦЗН. Заполните их и нажмите «Обновить списки» еще раз.")
    if not desktop:
        raise ListsUnavailable(
            "Надстройка, работающая через сервер, видит только эту книгу, а коды точек контакта берутся "
            "из книги «Путь клиента» того же ЦЗН. Скопируйте коды из листа «Путь клиента» в столбец A "
            f"листа «{catalog.MEASUREMENT_SUMMARY_SHEET}» или выполните «Обновить списки» в настольной "
            "надстройке, открыв обе книги.")
    journey = _journey_in_open_books(book, centre)
    folder = book_folder(book)
    if journey is None and folder is not None:
        journey = _journey_in_folder(folder, book_path(book), centre)
    if journey is None:
        raise ListsUnavailable(
            "Не найдена книга «Путь клиента» этого ЦЗН: откройте ее в Excel (или положите в ту же папку, "
            "что и эта книга) и нажмите «Обновить списки» еще раз. Книги сопоставляются по «Субъект РФ» и "
            f"«Наименование ЦЗН» на листе «{catalog.TITLE_SHEET}».")
    if not journey.codes:
        raise ListsUnavailable(f"В книге «Путь клиента» ({journey.where}) еще нет ни одного кода точки контакта.")
    return journey


def _write_list(book: xw.Book, codes: Sequence[str]) -> xw.Range:
    """Put the codes into their column of the hidden lists sheet; the range of the codes."""
    sheet = find_sheet(book, LISTS_SHEET)
    if sheet is None:
        sheet = book.sheets.add(name=LISTS_SHEET, after=book.sheets[len(book.sheets) - 1])
        sheet.visible = False
        rows: list[list[object]] = []
    else:
        rows = sheet_rows(sheet)
    header = rows[0] if rows else []
    col = next((i for i, v in enumerate(header) if v == TOUCHPOINT_LIST_HEADER), None)
    if col is None:
        col = len(header)
    old_length = sum(1 for r in rows[1:] if col < len(r) and r[col] is not None)
    values: list[object] = [TOUCHPOINT_LIST_HEADER, *(as_text(c) for c in codes)]
    values += [None] * max(0, old_length + 1 - len(values))
    letter = column_letter(col)
    sheet.range(f"{letter}1:{letter}{len(values)}").value = [[v] for v in values]
    return sheet.range(f"{letter}2:{letter}{len(codes) + 1}")


def _set_drop_down(book: xw.Book, read: ReadWorkbook, declared: str, source: xw.Range, last_row: int) -> bool:
    table = read.tables.get(declared)
    if table is None or table.header_row is None or TOUCHPOINT_KEY not in table.columns:
        return False
    sheet = find_sheet(book, table.sheet_name)
    if sheet is None:
        return False
    first = cell_ref(table.header_row + 1, table.columns[TOUCHPOINT_KEY])
    last = cell_ref(max(last_row, table.header_row + 1), table.columns[TOUCHPOINT_KEY])
    cells = sheet.range(f"{first}:{last}")
    # Excel refuses a list over cells whose validations differ: start from none
    cells.data_validation.delete()
    cells.data_validation.set_list(source)
    return True


def _fill_summary_codes(book: xw.Book, codes: Sequence[str]) -> tuple[int, int]:
    """Codes into column A of «Сводка» between its header and total rows: (written, rows there)."""
    sheet = find_sheet(book, catalog.MEASUREMENT_SUMMARY_SHEET)
    if sheet is None:
        return 0, 0
    column = [row[0] if row else None for row in sheet_rows(sheet)]
    total = next((i for i, v in enumerate(column) if isinstance(v, str)
                  and normalize_title(v) == normalize_title(TOTAL_LABEL)), None)
    if total is None or total < 2:
        return 0, 0
    slots = total - 1
    values = [as_text(c) for c in codes[:slots]] + [None] * max(0, slots - len(codes))
    sheet.range(f"A2:A{total}").value = [[v] for v in values]
    return min(slots, len(codes)), slots


def refresh_lists(book: xw.Book, *, desktop: bool) -> str:
    """Refresh the touchpoint drop-downs; the message for the user (ListsUnavailable when impossible)."""
    source = values_source(book, skip=[catalog.CHECK_SHEET])
    read = read_values(source)
    if read.kind.key == JOURNEY.key:
        result = check_values(source)
        assert result.workbook is not None
        codes = tuple(journey_touchpoints(result.workbook).values())
        if not codes:
            raise ListsUnavailable(f"На листе «{JOURNEY_SHEET}» еще нет кодов точек контакта.")
        target = _write_list(book, codes)
        sheets = [s.name for s in JOURNEY.table_sheets if s.name != JOURNEY_SHEET]
        updated = [name for name in sheets if _set_drop_down(book, read, name, target, INPUT_ROWS)]
        listed = ", ".join(f"«{n}»" for n in updated) or "—"
        return (f"Список кодов точек контакта обновлен: {len(codes)} из листа «{JOURNEY_SHEET}». "
                f"Раскрывающийся список «Код точки контакта» — на листах {listed}.")
    if read.kind.key == MEASUREMENTS.key:
        journey = find_journey(book, read, desktop=desktop)
        target = _write_list(book, journey.codes)
        _set_drop_down(book, read, MEASUREMENTS.sheets[0].name, target, MEASUREMENT_INPUT_ROWS)
        written, slots = _fill_summary_codes(book, journey.codes)
        text = (f"Коды точек контакта ({len(journey.codes)}) взяты из {journey.where}: раскрывающийся список "
                f"«Код точки контакта» на листе «{MEASUREMENTS.sheets[0].name}» обновлен")
        if slots:
            text += f", на листе «{catalog.MEASUREMENT_SUMMARY_SHEET}» заполнено строк: {written}"
            if written < len(journey.codes):
                text += f" (на листе {slots} строк; остальные коды в сводку не поместились)"
        return text + "."
    raise ListsUnavailable(
        f"В книге «{read.kind.title}» нет списков, которые надстройка обновляет: ее раскрывающиеся списки "
        "постоянные и уже есть в шаблоне.")
