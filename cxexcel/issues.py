"""Validation issues: reason codes, severities, the rule catalogue and the frozen Issue object."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


SEVERITY_RU = {Severity.ERROR: "ошибка", Severity.WARNING: "предупреждение"}


@dataclass(frozen=True)
class Rule:
    """What a code means: its severity, a Russian title and an example message for the docs."""

    severity: Severity
    title: str
    example: str


class Code(StrEnum):
    # files that cannot be read at all (see cxexcel.read.errors.UnreadableReason)
    FILE_NOT_FOUND = "file-not-found"
    FILE_NOT_A_FILE = "file-not-a-file"
    FILE_EMPTY = "file-empty"
    FILE_XLS = "file-xls"
    FILE_ODS = "file-ods"
    FILE_ENCRYPTED = "file-encrypted"
    FILE_NOT_WORKBOOK = "file-not-workbook"
    FILE_CORRUPT = "file-corrupt"
    FILE_TOO_LARGE = "file-too-large"
    FILE_UNKNOWN_KIND = "file-unknown-kind"
    FILE_OLD_TEMPLATE = "file-old-template"
    FILE_WRONG_KIND = "file-wrong-kind"
    FILE_IS_SUMMARY = "file-is-summary"
    # a file whose check failed inside cxexcel itself (a bug): reported, never a crash of the whole run
    INTERNAL_ERROR = "internal-error"
    # a file whose check killed the process checking it (a native crash in a reader, the OOM killer):
    # reported, never a crash of the whole run, never cached (a re-run tries again)
    WORKER_CRASHED = "worker-crashed"
    # structure
    META_MISSING = "meta-missing"
    META_MISMATCH = "meta-kind-mismatch"
    TEMPLATE_NEWER = "template-newer"
    SHEET_MISSING = "sheet-missing"
    SHEET_HIDDEN = "sheet-hidden"
    SHEET_TOO_LARGE = "sheet-too-large"
    SHEET_DUPLICATE = "sheet-duplicate"
    # a sheet the template does not have that holds values (a copy «Замеры (2)», a month's «Замеры сентябрь»)
    SHEET_EXTRA = "sheet-extra"
    EXTERNAL_LINKS = "external-links"
    HEADER_MISSING = "header-missing"
    COLUMN_MISSING = "column-missing"
    COLUMN_OPTIONAL_MISSING = "column-optional-missing"
    COLUMN_DUPLICATE = "column-duplicate"
    COLUMN_EXTRA = "column-extra"
    FIELD_MISSING = "field-missing"
    # «Отчетная дата» against the day of checking and the programme (validate/report_date.py)
    REPORT_DATE_FUTURE = "report-date-future"
    REPORT_DATE_BEFORE_PILOT = "report-date-before-pilot"
    # a file in a folder named after another region than the one its «Титул» names (consolidate)
    REGION_FOLDER_MISMATCH = "region-folder-mismatch"
    # cells
    REQUIRED = "required"
    TYPE_DATE = "type-date"
    TYPE_NUMBER = "type-number"
    TYPE_INTEGER = "type-integer"
    DATE_AS_TEXT = "date-as-text"
    NUMBER_AS_TEXT = "number-as-text"
    OUT_OF_RANGE = "out-of-range"
    # a «%» field holding a fraction (0,75 for 75 %): what Excel stores when «75%» is typed
    PERCENT_AS_FRACTION = "percent-as-fraction"
    CHOICE = "choice"
    CHOICE_CORRECTED = "choice-corrected"
    EMAIL = "email-format"
    PHONE = "phone-format"
    FORMULA_ERROR = "formula-error"
    FORMULA_NO_VALUE = "formula-no-value"
    TEXT_TOO_LONG = "text-too-long"
    # roadmap
    ROADMAP_ITEM_MISSING = "roadmap-item-missing"
    ROADMAP_ITEM_UNKNOWN = "roadmap-item-unknown"
    ROADMAP_ITEM_DUPLICATE = "roadmap-item-duplicate"
    ROADMAP_ITEM_ALIAS = "roadmap-item-alias"
    DONE_WITHOUT_DATE = "done-without-date"
    DONE_AFTER_REPORT = "done-after-report-date"
    DATE_WITHOUT_DONE = "date-without-done"
    OVERDUE = "overdue"
    PLANNED_AFTER_DEADLINE = "planned-after-deadline"
    # team and meetings
    TEAM_LEADER = "team-leader"
    TEAM_UNITS = "team-units"
    MEETING_DEADLINE = "meeting-deadline-missed"
    MEETING_GAP = "meeting-gap"
    MEETING_DUPLICATE = "meeting-duplicate"
    # journey, decisions, tools, measurements
    TOUCHPOINT_DUPLICATE = "touchpoint-duplicate"
    STAGE_WITHOUT_STEP = "stage-without-step"
    TOUCHPOINT_UNKNOWN = "touchpoint-unknown"
    # measurements of a centre no accepted journey names (consolidate): most often the centre's name typed
    # differently in the two workbooks
    CENTRE_WITHOUT_JOURNEY = "centre-without-journey"
    NO_TOOLS = "no-tools"
    TOOL_AFTER_BEFORE_LAUNCH = "tool-after-before-launch"
    VALUE_OFF_SCALE = "value-off-scale"
    DATE_OUT_OF_PILOT = "date-out-of-pilot"
    DATE_AFTER_REPORT = "date-after-report-date"
    # consultation log
    CLOSED_WITHOUT_DATE = "closed-without-date"
    CLOSED_BEFORE_OPENED = "closed-before-opened"
    DATE_WITHOUT_CLOSED = "date-without-closed"
    EMPTY_TABLE = "empty-table"

    @property
    def rule(self) -> Rule:
        return RULES[self]

    @property
    def severity(self) -> Severity:
        return RULES[self].severity


E, W = Severity.ERROR, Severity.WARNING

RULES: dict[Code, Rule] = {
    Code.FILE_NOT_FOUND: Rule(E, "Файл не найден", "Файл не найден."),
    Code.FILE_NOT_A_FILE: Rule(E, "Не файл (папка или ссылка)", "Это не обычный файл (папка или ссылка): пропущен."),
    Code.FILE_EMPTY: Rule(E, "Пустой файл", "Файл пуст (0 байт): сохраните книгу заново и пришлите еще раз."),
    Code.FILE_XLS: Rule(E, "Старый формат .xls", "Файл в старом формате Excel 97–2003 (.xls)."),
    Code.FILE_ODS: Rule(E, "Формат .ods", "Файл в формате OpenDocument (.ods)."),
    Code.FILE_ENCRYPTED: Rule(E, "Книга защищена паролем", "Книга защищена паролем: снимите пароль на открытие."),
    Code.FILE_NOT_WORKBOOK: Rule(E, "Не книга Excel", "Файл не является книгой Excel (.xlsx): это документ Word."),
    Code.FILE_CORRUPT: Rule(E, "Поврежденный файл", "Файл поврежден или передан не полностью."),
    Code.FILE_TOO_LARGE: Rule(E, "Превышен предел размера", "Содержимое файла слишком велико (2048 МБ в распакованном виде)."),
    Code.FILE_UNKNOWN_KIND: Rule(E, "Книга не по стандарту", "Не удалось определить вид книги: это не стандартная книга cxexcel."),
    Code.FILE_OLD_TEMPLATE: Rule(E, "Устаревший шаблон", "Книга заполнена по устаревшему шаблону версии 0.9."),
    Code.FILE_WRONG_KIND: Rule(E, "Книга другого вида", "Ожидалась книга «Замеры», а это книга «Путь клиента»."),
    Code.FILE_IS_SUMMARY: Rule(E, "Свод, а не книга по стандарту", "Это свод, собранный cxexcel (листы «Свод», «Мониторинг», «Файлы»), а не книга по стандарту."),
    Code.INTERNAL_ERROR: Rule(E, "Внутренняя ошибка проверки", "Файл не проверен из-за внутренней ошибки cxexcel (ValueError); сообщите разработчикам."),
    Code.WORKER_CRASHED: Rule(E, "Проверка файла аварийно завершила процесс", "Проверка этого файла аварийно завершила рабочий процесс (сигнал SIGSEGV). Файл не учтен в своде; откройте его в Excel, сохраните заново и пришлите еще раз; если повторится — сообщите разработчикам, приложив файл."),
    Code.META_MISSING: Rule(W, "Нет служебного листа _meta", "Нет служебного листа «_meta»: вид книги определен по листам."),
    Code.META_MISMATCH: Rule(W, "Вид книги в _meta не совпадает с листами", "В «_meta» указан вид «Дорожная карта», но по листам это книга «Замеры»."),
    Code.TEMPLATE_NEWER: Rule(W, "Шаблон новее программы", "Книга сделана более новой версией шаблона (2.0)."),
    Code.SHEET_MISSING: Rule(E, "Нет обязательного листа", "Нет листа «Замеры»."),
    Code.SHEET_HIDDEN: Rule(W, "Лист скрыт", "Лист «Замеры» скрыт; его данные прочитаны."),
    Code.SHEET_TOO_LARGE: Rule(E, "Слишком много строк или столбцов", "На листе «Замеры» 1 048 576 строк при пределе 200 000. Лист не прочитан."),
    Code.SHEET_DUPLICATE: Rule(E, "Листы с одинаковыми названиями", "Листы «Замеры» и «замеры » называются одинаково: прочитан лист «Замеры»."),
    Code.EXTERNAL_LINKS: Rule(W, "Связи с другими файлами", "Книга связана с другими файлами («Свод_2020.xlsx»): значения формул прочитаны как сохранены."),
    Code.HEADER_MISSING: Rule(E, "Нет строки заголовков", "На листе «Замеры» не найдена строка заголовков."),
    Code.COLUMN_MISSING: Rule(E, "Нет обязательного столбца", "Нет обязательного столбца «Метрика*»."),
    Code.COLUMN_OPTIONAL_MISSING: Rule(W, "Нет необязательного столбца", "Нет столбца «Комментарий»."),
    Code.COLUMN_DUPLICATE: Rule(W, "Столбец повторяется", "Столбец «Дата» встречается дважды; использован первый."),
    Code.SHEET_EXTRA: Rule(W, "Лишний лист с данными", "Лист «Замеры (2)» не предусмотрен шаблоном; его данные не читаются. Перенесите строки на лист «Замеры»."),
    Code.COLUMN_EXTRA: Rule(W, "Лишний столбец", "Столбец «Примечание» не предусмотрен шаблоном; его данные не используются."),
    Code.FIELD_MISSING: Rule(E, "Нет поля формы", "На листе «Титул» нет поля «Отчетная дата»."),
    Code.REQUIRED: Rule(E, "Не заполнено обязательное поле", "Не заполнено обязательное поле «Дата»."),
    Code.TYPE_DATE: Rule(E, "Не дата", "«31.02.2021» — не дата; введите дату в виде ДД.ММ.ГГГГ."),
    Code.TYPE_NUMBER: Rule(E, "Не число", "«пять» — не число."),
    Code.TYPE_INTEGER: Rule(E, "Не целое число", "«4,5» — ожидается целое число."),
    Code.DATE_AS_TEXT: Rule(W, "Дата записана текстом", "Дата «1 сентября 2021» записана текстом; прочитана как 01.09.2021."),
    Code.NUMBER_AS_TEXT: Rule(W, "Число записано текстом", "Число «4,5» записано текстом; прочитано как 4,5."),
    Code.PERCENT_AS_FRACTION: Rule(W, "Проценты введены долей", "Лист «Отчет», ячейка B20, «CSAT до, %»: 0,75 похоже на долю (75 %); введите число процентов: 75 в ячейке с числовым (не процентным) форматом."),
    Code.OUT_OF_RANGE: Rule(E, "Вне допустимого диапазона", "Значение 3 вне диапазона от −2 до 2."),
    Code.CHOICE: Rule(E, "Значения нет в списке", "«Сделано» нет в списке: Не начато, В работе, Выполнено, Отменено."),
    Code.CHOICE_CORRECTED: Rule(W, "Значение списка исправлено", "«выполнено» прочитано как «Выполнено»."),
    Code.EMAIL: Rule(W, "Неверный адрес почты", "«ivanov@» — не похоже на адрес электронной почты."),
    Code.PHONE: Rule(W, "Неверный телефон", "«12-34» — не похоже на номер телефона."),
    Code.FORMULA_ERROR: Rule(E, "Ошибка в формуле", "Формула в ячейке дает ошибку #DIV/0!."),
    Code.FORMULA_NO_VALUE: Rule(E, "Формула без значения", "Формула сохранена без вычисленного значения."),
    Code.TEXT_TOO_LONG: Rule(E, "Слишком длинный текст", "Текст длиннее 32 767 символов."),
    Code.ROADMAP_ITEM_MISSING: Rule(E, "Удален пункт программы", "Нет строки пункта 2.1.6 программы."),
    Code.ROADMAP_ITEM_UNKNOWN: Rule(E, "Неизвестный номер пункта", "Номер «3.1» не является пунктом программы."),
    Code.ROADMAP_ITEM_DUPLICATE: Rule(E, "Пункт повторяется", "Пункт 1.4 встречается дважды."),
    Code.ROADMAP_ITEM_ALIAS: Rule(W, "Номер пункта исправлен", "Пункт «2.2.2» прочитан как 2.1.2."),
    Code.DONE_WITHOUT_DATE: Rule(E, "Выполнено без даты", "Статус «Выполнено», но не указана «Дата выполнения»."),
    Code.REPORT_DATE_FUTURE: Rule(E, "Отчетная дата в будущем", "Лист «Титул», ячейка B7, «Отчетная дата»: отчетная дата 01.10.2031 позже сегодняшней (27.11.2026); проверьте год. Пока она не исправлена, дата свода по умолчанию берется без нее."),
    Code.REPORT_DATE_BEFORE_PILOT: Rule(E, "Отчетная дата до начала апробации", "Лист «Титул», ячейка B7, «Отчетная дата»: отчетная дата 01.10.2012 раньше начала апробации (26.07.2021); проверьте год."),
    Code.REGION_FOLDER_MISMATCH: Rule(W, "Файл в папке другого субъекта", "Файл лежит в папке «Курская область», а на листе «Титул» указано «Субъект РФ»: «г. Москва»; его данные учтены для «г. Москва». Если это файл субъекта «Курская область», исправьте «Субъект РФ»."),
    Code.DONE_AFTER_REPORT: Rule(E, "Выполнено позже отчетной даты", "Дата выполнения 05.10.2021 позже отчетной даты 01.10.2021."),
    Code.DATE_WITHOUT_DONE: Rule(W, "Дата выполнения без статуса", "Указана дата выполнения, но статус «В работе»."),
    Code.OVERDUE: Rule(W, "Просрочено", "Лист «Дорожная карта», ячейка G8, «Статус»: пункт 1.7 не выполнен, срок по регламенту 22.10.2021 прошел (на 01.11.2021)."),
    Code.PLANNED_AFTER_DEADLINE: Rule(W, "Плановый срок позже регламента", "Плановый срок 30.09.2021 позже срока по регламенту 24.09.2021."),
    Code.TEAM_LEADER: Rule(E, "Не один руководитель команды", "Лист «Рабочая группа», ячейка D6, «Роль»: в рабочей группе 2 с ролью «Руководитель команды»; должен быть ровно один."),
    Code.TEAM_UNITS: Rule(E, "Команда не кросс-функциональна", "В рабочей группе сотрудники 1 подразделения, нужно не меньше 2."),
    Code.MEETING_DEADLINE: Rule(W, "Нет совещания к сроку", "К сроку 20.09.2021 проведено 1 совещание из 2."),
    Code.MEETING_GAP: Rule(W, "Перерыв между совещаниями больше 3 недель", "Лист «Совещания», ячейка A4, «Дата»: между совещаниями 01.09.2021 и 28.09.2021 прошло 27 дн.; по регламенту — не реже 1 раза в 3 недели."),
    Code.MEETING_DUPLICATE: Rule(W, "Протокол повторяется", "Протокол № 3 указан дважды."),
    Code.TOUCHPOINT_DUPLICATE: Rule(E, "Код точки контакта повторяется", "Код «ТК-03» уже использован в строке 5."),
    Code.STAGE_WITHOUT_STEP: Rule(E, "Этап без шагов", "У этапа «Подача заявления» нет ни одного шага."),
    Code.CENTRE_WITHOUT_JOURNEY: Rule(W, "Замеры ЦЗН без пути клиента", "Замеры ЦЗН «ОГКУ «ЦЗН г. Курска»»: среди принятых файлов субъекта «Курская область» нет пути клиента этого ЦЗН; коды точек контакта в замерах не сверены с путем клиента. Похожее название в пути клиента: «ОГКУ «ЦЗН города Курска»» — если это тот же ЦЗН, сверьте «Наименование ЦЗН» в обоих файлах."),
    Code.TOUCHPOINT_UNKNOWN: Rule(E, "Неизвестная точка контакта", "Точки контакта «ТК-99» нет в пути клиента этого ЦЗН."),
    Code.NO_TOOLS: Rule(E, "Нет ни одного инструмента", "Не указан ни один инструмент (п. 2.1.11: минимум один)."),
    Code.TOOL_AFTER_BEFORE_LAUNCH: Rule(E, "Значение после до запуска", "«Значение после» указано, но инструмент запущен после отчетной даты."),
    Code.VALUE_OFF_SCALE: Rule(E, "Значение вне шкалы метрики", "Лист «Замеры», ячейка F1249, «Значение»: значение 6 вне шкалы CSAT: целое от 1 до 5."),
    Code.DATE_OUT_OF_PILOT: Rule(W, "Дата вне периода пилота", "Дата 15.03.2021 вне периода пилотной апробации."),
    Code.DATE_AFTER_REPORT: Rule(W, "Дата позже отчетной", "Дата 05.10.2021 позже отчетной даты 01.10.2021."),
    Code.CLOSED_WITHOUT_DATE: Rule(E, "Закрыт без даты", "Статус «Закрыт», но не указана «Дата закрытия»."),
    Code.CLOSED_BEFORE_OPENED: Rule(E, "Закрыт раньше обращения", "Дата закрытия раньше даты обращения."),
    Code.DATE_WITHOUT_CLOSED: Rule(W, "Дата закрытия при статусе «Открыт»", "Указана дата закрытия 12.08.2021, но статус «Открыт»."),
    Code.EMPTY_TABLE: Rule(E, "Таблица не заполнена", "На листе «Замеры» нет ни одной строки."),
}


@dataclass(frozen=True)
class Issue:
    """One finding about one file, sheet or cell; a frozen value object."""

    code: Code
    severity: Severity
    file: str
    sheet: str | None
    cell: str | None
    column: str | None
    value: Any
    message: str

    @property
    def location(self) -> str:
        """Where the issue is, as Excel writes a reference: 'Замеры'!F12, 'Замеры' or the file."""
        if self.sheet is None:
            return ""
        sheet = "'" + self.sheet.replace("'", "''") + "'"
        return f"{sheet}!{self.cell}" if self.cell else sheet

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "severity": self.severity.value,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "column": self.column,
            "value": json_value(self.value),
            "message": self.message,
        }


def count_severity(issues: Iterable[Issue], severity: Severity) -> int:
    """How many of the issues have this severity (the counts every report shows)."""
    return sum(i.severity is severity for i in issues)


class IssueCounts:
    """`errors` and `warnings` of anything that holds its `issues`."""

    issues: Sequence[Issue]

    @property
    def errors(self) -> int:
        return count_severity(self.issues, Severity.ERROR)

    @property
    def warnings(self) -> int:
        return count_severity(self.issues, Severity.WARNING)


def json_value(value: Any) -> Any:
    """A cell value as JSON can carry it: dates as ISO text, everything else as is or as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    iso = getattr(value, "isoformat", None)
    return iso() if callable(iso) else str(value)


def make_issue(
    code: Code,
    file: str,
    message: str,
    *,
    sheet: str | None = None,
    cell: str | None = None,
    column: str | None = None,
    value: Any = None,
    severity: Severity | None = None,
) -> Issue:
    """An issue with the code's own severity unless one is given (optional columns, say)."""
    return Issue(code, severity or code.severity, file, sheet, cell, column, value, message)
