"""The six standard workbooks of FORMS.md §3, each declared once."""

from __future__ import annotations

from dataclasses import replace

from cxexcel.forms import catalog as c
from cxexcel.forms.model import (
    Column,
    ColumnType,
    FormSheet,
    Level,
    ListSource,
    TableSheet,
    WorkbookKind,
)

T = ColumnType

# sheets the journey rules and the summary refer to by name
JOURNEY_MAP_SHEET = "Путь клиента"
DECISIONS_SHEET = "Карта решений"
TOOLS_SHEET = "Инструменты"

TOUCHPOINT_HELP = "Код точки контакта из листа «Путь клиента» книги «Путь клиента» этого ЦЗН, например ТК-01."


def _touchpoint_code(**kwargs: object) -> Column:
    return Column("touchpoint_code", "Код точки контакта", required=True, width=14, help=TOUCHPOINT_HELP, **kwargs)  # type: ignore[arg-type]


def _status(help_text: str) -> Column:
    return Column("status", "Статус", T.CHOICE, required=True, choices=c.STATUSES, width=14, help=help_text)


ROADMAP = WorkbookKind(
    key="roadmap",
    title="Дорожная карта",
    level=Level.REGION,
    items=("1.2", "1.4", "2.1.1", "2.1.9", "2.1.10"),
    purpose="дорожная карта пилотной апробации субъекта РФ, состав рабочей группы и совещания",
    sheets=(
        TableSheet(
            name="Дорожная карта",
            table_name="DorozhnayaKarta",
            items=("1.4",),
            blank_rows=10,
            help="Строки программы заполнены заранее и не удаляются. Свои мероприятия добавляйте ниже с номерами Р.1, Р.2 …",
            columns=(
                Column("code", "№ п/п", width=8, prefilled=True, help="Номер пункта программы или собственного мероприятия (Р.1, Р.2 …)."),
                Column("title", "Мероприятие", width=60, prefilled=True, help="Формулировка мероприятия по программе."),
                Column("deadline", "Срок по регламенту", width=16, prefilled=True, help="Срок из программы пилотной апробации."),
                Column("result", "Результат", width=40, prefilled=True, help="Ожидаемый результат по программе."),
                Column("planned", "Плановый срок", T.DATE, width=14, help="Дата, к которой регион планирует выполнить мероприятие (ДД.ММ.ГГГГ)."),
                Column("responsible", "Ответственный", required=True, width=24, help="ФИО или подразделение, ответственное за мероприятие."),
                _status("Текущее состояние мероприятия."),
                Column("done_date", "Дата выполнения", T.DATE, width=14, help="Обязательна для статуса «Выполнено»; не позже отчетной даты."),
                Column("evidence", "Подтверждающий документ", width=30, help="Приказ, протокол, ссылка на материалы."),
                Column("comment", "Комментарий", width=30),
            ),
        ),
        TableSheet(
            name="Рабочая группа",
            table_name="RabochayaGruppa",
            items=("2.1.1",),
            blank_rows=15,
            help="Кросс-функциональная команда: один руководитель, сотрудники не менее чем двух подразделений.",
            min_rows=1,
            columns=(
                Column("name", "ФИО", required=True, width=30),
                Column("position", "Должность", required=True, width=26),
                Column("unit", "Подразделение", required=True, width=26),
                Column("role", "Роль", T.CHOICE, required=True, choices=c.ROLES, width=22, help="Ровно один «Руководитель команды»."),
                Column("stage", "Этап пути клиента", width=22, help="Этап пути клиента, за который отвечает участник."),
                Column("phone", "Телефон", T.PHONE, width=16),
                Column("email", "E-mail", T.EMAIL, width=24),
            ),
        ),
        TableSheet(
            name="Совещания",
            table_name="Soveshchaniya",
            items=("2.1.9",),
            blank_rows=10,
            help="Совещания команды проводятся не реже одного раза в 3 недели.",
            columns=(
                Column("date", "Дата", T.DATE, required=True, width=12),
                Column("protocol", "Номер протокола", required=True, width=16),
                Column("attendees", "Число участников", T.INTEGER, minimum=1, width=12),
                Column("agenda", "Повестка", width=40),
                Column("decisions", "Принятые решения", width=40),
            ),
        ),
    ),
)

JOURNEY = WorkbookKind(
    key="journey",
    title="Путь клиента",
    level=Level.CZN,
    items=("2.1.2", "2.1.3", "2.1.4", "2.1.5", "2.1.8", "2.1.11", "2.1.12"),
    purpose="целевая аудитория, показатели, портрет и путь клиента, карта решений и инструменты пилотного ЦЗН",
    sheets=(
        TableSheet(
            name="Целевая аудитория",
            table_name="TselevayaAuditoriya",
            items=("2.1.2",),
            blank_rows=5,
            min_rows=1,
            columns=(
                Column("category", "Категория", T.CHOICE, required=True, choices=c.AUDIENCE_CATEGORIES, width=16),
                Column("description", "Описание", required=True, width=50),
                Column("size", "Численность (оценка)", T.INTEGER, minimum=0, width=14),
                Column("reason", "Обоснование выбора", width=50),
            ),
        ),
        FormSheet(
            name="Услуга",
            items=("2.1.5",),
            help="Одна услуга СЗН, путь получения которой составляется.",
            fields=(
                Column("service", "Услуга СЗН", required=True, suggestions=c.SERVICES, width=70, help="Выберите из списка или введите свое название услуги."),
            ),
        ),
        TableSheet(
            name="Показатели",
            table_name="Pokazateli",
            items=("2.1.3",),
            blank_rows=10,
            min_rows=1,
            columns=(
                Column("indicator", "Показатель", required=True, width=36),
                Column("unit", "Единица измерения", required=True, width=14),
                Column("method", "Метод расчета", width=36),
                Column("baseline", "Базовое значение", T.NUMBER, width=12),
                Column("target", "Целевое значение", T.NUMBER, width=12),
                Column("source", "Источник данных", width=24),
                Column("periodicity", "Периодичность", suggestions=c.PERIODICITIES, width=16),
            ),
        ),
        FormSheet(
            name="Портрет клиента",
            items=("2.1.4",),
            fields=(
                Column("persona", "Имя персонажа", width=60),
                Column("age", "Возраст", T.INTEGER, minimum=14, maximum=100),
                Column("gender", "Пол", T.CHOICE, choices=c.GENDERS),
                Column("education", "Образование"),
                Column("situation", "Жизненная ситуация"),
                Column("goals", "Цели"),
                Column("needs", "Потребности"),
                Column("pains", "Боли и страхи"),
                Column("channels", "Предпочитаемые каналы"),
                Column("quote", "Цитата"),
            ),
        ),
        TableSheet(
            name=JOURNEY_MAP_SHEET,
            table_name="PutKlienta",
            items=("2.1.5",),
            blank_rows=30,
            help="Каждая строка — шаг клиента в точке контакта. Коды точек контакта уникальны в книге.",
            min_rows=1,
            columns=(
                Column("stage", "Этап", required=True, width=20),
                Column("step", "№ шага", T.INTEGER, required=True, minimum=1, width=8),
                Column("action", "Действие клиента", required=True, width=32),
                _touchpoint_code(unique=True),
                Column("touchpoint", "Точка контакта", required=True, width=28),
                Column("channel", "Канал", T.CHOICE, required=True, choices=c.CHANNELS, width=22),
                Column("unit", "Ответственное подразделение", width=24),
                Column("thoughts", "Мысли и чувства", width=30),
                Column("emotion", "Эмоция", T.INTEGER, minimum=c.EMOTION_MIN, maximum=c.EMOTION_MAX, width=9,
                       help="Целое от −2 (очень плохо) до +2 (очень хорошо)."),
                Column("pains", "Боли", width=30),
                Column("duration", "Длительность, мин", T.NUMBER, minimum=0, width=12),
                Column("improvements", "Возможности улучшения", width=30),
            ),
        ),
        TableSheet(
            name=DECISIONS_SHEET,
            table_name="KartaResheniy",
            items=("2.1.8",),
            blank_rows=15,
            columns=(
                Column("number", "№", T.INTEGER, required=True, minimum=1, width=6),
                _touchpoint_code(),
                Column("problem", "Проблема", required=True, width=36),
                Column("solution", "Решение", required=True, width=36),
                Column("solution_type", "Тип решения", T.CHOICE, choices=c.DECISION_TYPES, width=12),
                Column("responsible", "Ответственный", required=True, width=24),
                Column("deadline", "Срок", T.DATE, required=True, width=12),
                Column("expected_effect", "Ожидаемый эффект", width=30),
                _status("Состояние решения."),
            ),
        ),
        TableSheet(
            name=TOOLS_SHEET,
            table_name="Instrumenty",
            items=("2.1.11", "2.1.12"),
            blank_rows=5,
            help="Не менее одного инструмента. «Значение после» измеряется после даты запуска.",
            columns=(
                Column("tool", "Инструмент", required=True, width=28),
                Column("description", "Описание", required=True, width=40),
                _touchpoint_code(),
                Column("launch_date", "Дата запуска", T.DATE, required=True, width=12),
                Column("metric", "Метрика эффекта", T.CHOICE, required=True, choice_source=ListSource.METRICS, width=24,
                       help="Метрика из листа «Замеры», по которой оценивается эффект."),
                Column("before", "Значение до", T.NUMBER, width=12),
                Column("after", "Значение после", T.NUMBER, width=12),
                Column("conclusion", "Вывод", width=40),
            ),
        ),
    ),
)

MEASUREMENTS = WorkbookKind(
    key="measurements",
    title="Замеры",
    level=Level.CZN,
    items=("2.1.6",),
    purpose="замеры качества клиентского опыта в точках контакта пилотного ЦЗН",
    sheets=(
        TableSheet(
            name="Замеры",
            table_name="Zamery",
            items=("2.1.6",),
            blank_rows=50,
            help="Одна строка — один ответ или наблюдение. Значение должно быть в шкале своей метрики.",
            min_rows=1,
            columns=(
                Column("date", "Дата", T.DATE, required=True, width=12),
                _touchpoint_code(),
                Column("channel", "Канал", T.CHOICE, required=True, choices=c.CHANNELS, width=22),
                Column("method", "Метод", T.CHOICE, required=True, choices=c.METHODS, width=22),
                Column("metric", "Метрика", T.CHOICE, required=True, choice_source=ListSource.METRICS, width=24,
                       help="; ".join(f"{m.name} — {m.help}" for m in c.METRICS)),
                Column("value", "Значение", T.NUMBER, required=True, width=10, help="Число в шкале выбранной метрики."),
                Column("respondent", "ID респондента", width=14),
                Column("client_category", "Категория клиента", suggestions=c.AUDIENCE_CATEGORIES, width=16),
                Column("comment", "Комментарий", width=36),
            ),
        ),
    ),
)

_REPORT_SECTIONS: tuple[tuple[str, tuple[Column, ...]], ...] = (
    ("Общие сведения", (
        Column("pilot_centres", "Пилотные ЦЗН", required=True, width=70),
        Column("centres_count", "Число пилотных ЦЗН", T.INTEGER, required=True, minimum=1),
        Column("pilot_start", "Начало пилотной апробации", T.DATE),
        Column("pilot_end", "Окончание пилотной апробации", T.DATE),
        Column("team_size", "Численность рабочей группы", T.INTEGER, minimum=0),
    )),
    ("Целевая аудитория", (
        Column("audience_category", "Категория целевой аудитории", T.CHOICE, required=True, choices=c.AUDIENCE_CATEGORIES),
        Column("audience", "Описание целевой аудитории", required=True),
    )),
    ("Услуга и путь клиента", (
        Column("service", "Услуга СЗН", required=True, suggestions=c.SERVICES),
        Column("stages_count", "Число этапов пути клиента", T.INTEGER, minimum=0),
        Column("touchpoints_count", "Число точек контакта", T.INTEGER, minimum=0),
    )),
    ("Результаты замеров до и после", (
        Column("respondents_before", "Число ответов до", T.INTEGER, minimum=0),
        Column("respondents_after", "Число ответов после", T.INTEGER, minimum=0),
        Column("csat_before", "CSAT до, %", T.NUMBER, minimum=0, maximum=100),
        Column("csat_after", "CSAT после, %", T.NUMBER, minimum=0, maximum=100),
        Column("nps_before", "NPS до", T.NUMBER, minimum=-100, maximum=100),
        Column("nps_after", "NPS после", T.NUMBER, minimum=-100, maximum=100),
        Column("ces_before", "CES до", T.NUMBER, minimum=1, maximum=7),
        Column("ces_after", "CES после", T.NUMBER, minimum=1, maximum=7),
    )),
    ("Инструменты и их эффект", (
        Column("tools_count", "Число внедренных инструментов", T.INTEGER, required=True, minimum=0),
        Column("tools", "Описание инструментов", required=True),
        Column("tools_effect", "Эффект инструментов"),
    )),
    ("Проблемы", (Column("problems", "Выявленные проблемы"),)),
    ("Предложения", (Column("proposals", "Предложения"),)),
    ("Выводы", (Column("conclusions", "Выводы", required=True),)),
)

FINAL_REPORT = WorkbookKind(
    key="final_report",
    title="Отчет о результатах",
    level=Level.REGION,
    items=("1.8",),
    purpose="отчет субъекта РФ о результатах пилотной апробации (Приложение 5)",
    sheets=(
        FormSheet(
            name="Отчет",
            items=("1.8",),
            fields=tuple(
                replace(f, width=70, section=section) for section, fields in _REPORT_SECTIONS for f in fields
            ),
        ),
    ),
)

CONSULTATIONS = WorkbookKind(
    key="consultations",
    title="Журнал консультаций",
    level=Level.FEDERAL,
    items=("1.5",),
    purpose="журнал консультационной поддержки пилотных регионов (Приложение 3)",
    sheets=(
        TableSheet(
            name="Журнал консультаций",
            table_name="ZhurnalKonsultatsiy",
            items=("1.5",),
            blank_rows=30,
            columns=(
                Column("date", "Дата", T.DATE, required=True, width=12),
                Column("region", "Субъект РФ", T.CHOICE, required=True, choice_source=ListSource.REGIONS, width=30),
                Column("czn", "ЦЗН", width=30),
                Column("form", "Форма", T.CHOICE, required=True, choices=c.CONSULTATION_FORMS, width=16),
                Column("topic", "Тема", required=True, width=30),
                Column("question", "Вопрос", required=True, width=40),
                Column("answer", "Ответ", width=40),
                Column("consultant", "Консультант", required=True, width=24),
                Column("status", "Статус", T.CHOICE, required=True, choices=c.CONSULTATION_STATUSES, width=10),
                Column("closed_date", "Дата закрытия", T.DATE, width=12, help="Обязательна для статуса «Закрыт»."),
            ),
        ),
    ),
)

PARTICIPANTS = WorkbookKind(
    key="participants",
    title="Участники",
    level=Level.REGION,
    items=("1.1", "1.3", "1.7"),
    purpose="списки участников вебинаров и обучающих мероприятий",
    sheets=(
        TableSheet(
            name="Участники",
            table_name="Uchastniki",
            items=("1.1", "1.3", "1.7"),
            blank_rows=30,
            columns=(
                Column("event", "Мероприятие", T.CHOICE, required=True, choices=c.EVENTS, width=32),
                Column("date", "Дата", T.DATE, required=True, width=12),
                Column("name", "ФИО", required=True, width=30),
                Column("position", "Должность", width=26),
                Column("region", "Субъект РФ", T.CHOICE, required=True, choice_source=ListSource.REGIONS, width=30),
                Column("czn", "ЦЗН", width=30),
            ),
        ),
    ),
)

KINDS: dict[str, WorkbookKind] = {
    k.key: k for k in (ROADMAP, JOURNEY, MEASUREMENTS, FINAL_REPORT, CONSULTATIONS, PARTICIPANTS)
}


def title_fields(kind: WorkbookKind) -> tuple[Column, ...]:
    """The «Титул» fields of a kind: the centre's name only where a centre fills it."""
    fields = [
        Column("region", "Субъект РФ", T.CHOICE, required=kind.level is not Level.FEDERAL,
               choice_source=ListSource.REGIONS, help="Выберите субъект РФ из списка."),
    ]
    if kind.level is Level.CZN:
        fields.append(Column("czn", "Наименование ЦЗН", required=True, help="Полное наименование центра занятости, как в уставе."))
    fields += [
        Column("responsible", "Ответственный (ФИО)", required=True),
        Column("position", "Должность"),
        Column("phone", "Телефон", T.PHONE),
        Column("email", "E-mail", T.EMAIL),
        Column("report_date", "Отчетная дата", T.DATE, required=True,
               help="Дата, на которую заполнены сведения (ДД.ММ.ГГГГ)."),
    ]
    return tuple(replace(f, width=50) for f in fields)
