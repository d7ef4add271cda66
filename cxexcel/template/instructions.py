"""The «Инструкция» sheet: what to fill, by when, how to check it and whom to ask."""

from __future__ import annotations

from typing import Literal

from cxexcel.forms import FormSheet, Level, WorkbookKind, catalog
from cxexcel.programme import Programme
from cxexcel.template.chart import has_emotion_curve
from cxexcel.template.context import Book
from cxexcel.template.lists import LISTS_SHEET
from cxexcel.template.sheets import print_setup
from cxexcel.template.styles import fit_row, wrapped_lines
from cxexcel.template.summary_formulas import source_sheet

Style = Literal["title", "heading", "text"]
Line = tuple[Style, str]

ADDIN_NAME = "cxexcel"
VALIDATE_COMMAND = "cxexcel validate ФАЙЛ"
# fits an A4 portrait page at 100 %
_WIDTH = 90

_WHO_FILLS: dict[Level, str] = {
    Level.REGION: "субъект РФ (СЗН) — одна книга на субъект РФ",
    Level.CZN: "пилотный ЦЗН — одна книга на каждый пилотный центр занятости",
    Level.FEDERAL: "Федеральный центр компетенций (ФЦК)",
}


def _items_text(codes: tuple[str, ...]) -> str:
    return ("п. " if len(codes) == 1 else "пп. ") + ", ".join(codes)


def _sheet_purpose(sheet_help: str, codes: tuple[str, ...], programme: Programme) -> str:
    if sheet_help:
        return sheet_help
    titles = [item.title for code in codes if (item := programme.item(code)) is not None]
    return "; ".join(titles) + "." if titles else ""


def instruction_lines(kind: WorkbookKind, programme: Programme) -> list[Line]:
    """The instruction as styled lines, in reading order."""
    lines: list[Line] = [
        ("title", f"Книга «{kind.title}»: инструкция по заполнению"),
        ("text", f"Назначение: {kind.purpose}."),
        ("text", f"Заполняет: {_WHO_FILLS[kind.level]}."),
        ("text", f"Основание: {programme.title} (версия {programme.version})."),
        ("heading", "Сроки по программе"),
    ]
    for code in kind.items:
        item = programme.item(code)
        if item is not None:
            lines.append(("text", f"п. {item.code}. {item.title} — срок: {item.deadline_text}."))

    lines.append(("heading", "Что заполнить"))
    owner = "ЦЗН, " if kind.level is Level.CZN else ""
    lines.append(("text", f"Лист «{catalog.TITLE_SHEET}»: субъект РФ, {owner}ответственный за заполнение, "
                          "его контакты и отчетная дата."))
    for sheet in kind.sheets:
        where = f" ({_items_text(sheet.items)})" if sheet.items else ""
        how = " Форма: значения вводятся в столбец B." if isinstance(sheet, FormSheet) else ""
        purpose = _sheet_purpose(sheet.help, sheet.items, programme)
        lines.append(("text", f"Лист «{sheet.name}»{where}: {purpose}{how}".rstrip(": ")))
        if not isinstance(sheet, FormSheet) and has_emotion_curve(sheet):
            lines.append(("text", f"Справа от таблицы на листе «{sheet.name}» — кривая эмоций клиента; "
                                  "она строится сама по заполненным шагам."))
    answers = source_sheet(kind)
    if answers is not None:
        lines.append(("text", f"Лист «{catalog.MEASUREMENT_SUMMARY_SHEET}»: показатели по точкам контакта "
                              f"считаются формулами по листу «{answers.name}». Замените коды в первом "
                              f"столбце кодами своих точек контакта; «{catalog.SMALL_SAMPLE_LABEL}» означает "
                              f"меньше {catalog.SMALL_SAMPLE} ответов."))

    lines += [
        ("heading", "Как заполнять"),
        ("text", "Обязательные столбцы и поля отмечены звездочкой (*)."),
        ("text", "Наведите указатель на заголовок столбца: в примечании сказано, что в него вводить."),
        ("text", "Значения закрытых списков выбирайте в раскрывающемся списке ячейки."),
        ("text", "Даты вводите в формате ДД.ММ.ГГГГ, числа — цифрами, без единиц измерения."),
        ("text", "Новые строки добавляйте сразу под таблицей, без пустых строк между ними."),
        ("text", "Не переименовывайте листы и заголовки столбцов, не удаляйте служебные скрытые листы "
                 f"«{catalog.META_SHEET}» и «{LISTS_SHEET}»: по ним книга распознается при проверке "
                 "и своде."),
        ("heading", "Как проверить"),
        ("text", f"В Excel нажмите кнопку «{catalog.CHECK_BUTTON}» на вкладке «{catalog.ADDIN_TAB}» (надстройка "
                 f"{ADDIN_NAME}) и исправьте найденные ошибки."),
        ("text", f"Без надстройки: выполните команду «{VALIDATE_COMMAND}» "
                 "(вместо ФАЙЛ — путь к этой книге)."),
        ("heading", "К кому обращаться"),
        ("text", f"{kind.contact}."),
        ("text", f"Версия шаблона: {catalog.TEMPLATE_VERSION}."),
    ]
    return lines


def write_instruction_content(book: Book, kind: WorkbookKind) -> None:
    """Fill the «Инструкция» sheet, which the builder added first."""
    sheet = book.workbook.get_worksheet_by_name(catalog.INSTRUCTION_SHEET)
    assert sheet is not None
    styles = {
        "title": book.styles.get(bold=True, size=14),
        "heading": book.styles.get(bold=True, size=12),
        "text": book.styles.get(wrap=True),
    }
    sheet.set_column(0, 0, _WIDTH)
    row = 0
    for style, text in instruction_lines(kind, book.programme):
        if style == "heading":
            row += 1  # a blank line before each heading
        sheet.write_string(row, 0, text, styles[style])
        if style == "text":
            fit_row(sheet, row, wrapped_lines(text, _WIDTH))
        row += 1
    sheet.hide_gridlines(2)
    print_setup(sheet, landscape=False, repeat_header=False)
