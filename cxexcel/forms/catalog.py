"""Closed lists, metric scales and rule parameters shared by the workbook kinds."""

from __future__ import annotations

from dataclasses import dataclass

# Bumped whenever a declaration change alters what a filled workbook must contain.
TEMPLATE_VERSION = "1.0"

META_SHEET = "_meta"
INSTRUCTION_SHEET = "Инструкция"
TITLE_SHEET = "Титул"
# the summary cxexcel writes (consolidate/workbook.py): a workbook with all three of these sheets and no
# «_meta» is a summary, never a standard form; one left in an inbox is skipped, not read as a form
SUMMARY_SHEET = "Свод"
MONITORING_SHEET = "Мониторинг"
FILES_SHEET = "Файлы"
SUMMARY_MARKER_SHEETS = (SUMMARY_SHEET, MONITORING_SHEET, FILES_SHEET)
CHECK_SHEET = "Проверка"
# what the user sees of the add-in: its ribbon tab and its check button (the templates' instructions name them)
ADDIN_TAB = "Клиентский опыт"
CHECK_BUTTON = "Проверить книгу"
# sheets the tools add to a workbook, never the user's data: the template's hidden drop-down lists
# (cxexcel/template/lists.py) and the add-in's results (cxexcel/addin/dashboard.py)
LISTS_SHEET = "_lists"
DASHBOARD_SHEET = "Панель"
# computed sheet of the measurements workbook: live formulas per touchpoint and metric
MEASUREMENT_SUMMARY_SHEET = "Сводка"
# touchpoint rows the «Сводка» offers before the add-in fills them from the journey
SUMMARY_TOUCHPOINT_ROWS = 40
# touchpoint codes read "ТК-01", "ТК-02" …; the «Сводка» offers them before the journey is known
TOUCHPOINT_CODE_PREFIX = "ТК-"

# Official list of the subjects of the Russian Federation (Constitution, art. 65).
REGIONS: tuple[str, ...] = (
    "Республика Адыгея",
    "Республика Алтай",
    "Республика Башкортостан",
    "Республика Бурятия",
    "Республика Дагестан",
    "Донецкая Народная Республика",
    "Республика Ингушетия",
    "Кабардино-Балкарская Республика",
    "Республика Калмыкия",
    "Карачаево-Черкесская Республика",
    "Республика Карелия",
    "Республика Коми",
    "Республика Крым",
    "Луганская Народная Республика",
    "Республика Марий Эл",
    "Республика Мордовия",
    "Республика Саха (Якутия)",
    "Республика Северная Осетия — Алания",
    "Республика Татарстан",
    "Республика Тыва",
    "Удмуртская Республика",
    "Республика Хакасия",
    "Чеченская Республика",
    "Чувашская Республика",
    "Алтайский край",
    "Забайкальский край",
    "Камчатский край",
    "Краснодарский край",
    "Красноярский край",
    "Пермский край",
    "Приморский край",
    "Ставропольский край",
    "Хабаровский край",
    "Амурская область",
    "Архангельская область",
    "Астраханская область",
    "Белгородская область",
    "Брянская область",
    "Владимирская область",
    "Волгоградская область",
    "Вологодская область",
    "Воронежская область",
    "Запорожская область",
    "Ивановская область",
    "Иркутская область",
    "Калининградская область",
    "Калужская область",
    "Кемеровская область — Кузбасс",
    "Кировская область",
    "Костромская область",
    "Курганская область",
    "Курская область",
    "Ленинградская область",
    "Липецкая область",
    "Магаданская область",
    "Московская область",
    "Мурманская область",
    "Нижегородская область",
    "Новгородская область",
    "Новосибирская область",
    "Омская область",
    "Оренбургская область",
    "Орловская область",
    "Пензенская область",
    "Псковская область",
    "Ростовская область",
    "Рязанская область",
    "Самарская область",
    "Саратовская область",
    "Сахалинская область",
    "Свердловская область",
    "Смоленская область",
    "Тамбовская область",
    "Тверская область",
    "Томская область",
    "Тульская область",
    "Тюменская область",
    "Ульяновская область",
    "Херсонская область",
    "Челябинская область",
    "Ярославская область",
    "г. Москва",
    "г. Санкт-Петербург",
    "г. Севастополь",
    "Еврейская автономная область",
    "Ненецкий автономный округ",
    "Ханты-Мансийский автономный округ — Югра",
    "Чукотский автономный округ",
    "Ямало-Ненецкий автономный округ",
)

STATUS_NOT_STARTED = "Не начато"
STATUS_IN_PROGRESS = "В работе"
STATUS_DONE = "Выполнено"
STATUS_CANCELLED = "Отменено"
STATUSES = (STATUS_NOT_STARTED, STATUS_IN_PROGRESS, STATUS_DONE, STATUS_CANCELLED)

# Region-added roadmap rows are numbered "Р.1", "Р.2", ...
OWN_ITEM_PREFIX = "Р."

ROLE_LEADER = "Руководитель команды"
ROLES = (ROLE_LEADER, "Участник")
# 2.1.1: a cross-functional team spans several units
MIN_TEAM_UNITS = 2

AUDIENCE_CATEGORIES = ("Соискатель", "Работодатель")

CHANNELS = (
    "Лично в ЦЗН",
    "Портал «Работа России»",
    "Госуслуги",
    "Телефон",
    "Электронная почта",
    "Мессенджер",
    "Выездное мероприятие",
    "Другое",
)

METHODS = (
    "Анкетирование",
    "Тайный покупатель",
    "Наблюдение",
    "Интервью",
    "Данные информационной системы",
)

DECISION_TYPES = ("Быстрое", "Системное")

CONSULTATION_FORMS = ("Вебинар", "Телефон", "Электронная почта", "ВКС", "Очно")
CONSULTATION_OPEN = "Открыт"
CONSULTATION_CLOSED = "Закрыт"
CONSULTATION_STATUSES = (CONSULTATION_OPEN, CONSULTATION_CLOSED)

EVENTS = (
    "Установочный вебинар (п. 1.1)",
    "Обучающее мероприятие (п. 1.3)",
    "Итоговый вебинар (п. 1.7)",
)

GENDERS = ("Мужской", "Женский")

PERIODICITIES = ("Ежедневно", "Еженедельно", "Ежемесячно", "Ежеквартально", "Однократно")

SERVICES = (
    "Содействие гражданам в поиске подходящей работы",
    "Содействие работодателям в подборе необходимых работников",
    "Профессиональная ориентация",
    "Профессиональное обучение и дополнительное профессиональное образование",
    "Психологическая поддержка безработных граждан",
    "Социальная адаптация безработных граждан на рынке труда",
    "Содействие самозанятости безработных граждан",
    "Информирование о положении на рынке труда",
    "Организация временного трудоустройства",
    "Организация оплачиваемых общественных работ",
    "Социальные выплаты гражданам, признанным безработными",
)

EMOTION_MIN = -2
EMOTION_MAX = 2

# A figure from fewer answers is shown as «мало данных» (FORMS.md §5).
SMALL_SAMPLE = 30
SMALL_SAMPLE_LABEL = "мало данных"


@dataclass(frozen=True)
class Metric:
    """A client-experience measure and the scale its answers must be on."""

    name: str
    minimum: float
    maximum: float | None
    integer: bool
    help: str
    # waiting is better short: an effect is an improvement when the value goes down
    lower_is_better: bool = False


CSAT = "CSAT"
CES = "CES"
NPS = "NPS"
WAIT_TIME = "Время ожидания, мин"
SERVICE_TIME = "Время обслуживания, мин"
FIRST_CONTACT = "Решено с первого обращения"

METRICS: tuple[Metric, ...] = (
    Metric(CSAT, 1, 5, True, "удовлетворенность: целое от 1 до 5"),
    Metric(CES, 1, 7, True, "легкость получения услуги: целое от 1 до 7 (7 — очень легко)"),
    Metric(NPS, 0, 10, True, "готовность рекомендовать: целое от 0 до 10"),
    Metric(WAIT_TIME, 0, None, False, "минуты, число не меньше 0", lower_is_better=True),
    Metric(SERVICE_TIME, 0, None, False, "минуты, число не меньше 0", lower_is_better=True),
    Metric(FIRST_CONTACT, 0, 1, True, "1 — вопрос решен с первого обращения, 0 — нет"),
)
METRIC_NAMES = tuple(m.name for m in METRICS)
METRICS_BY_NAME = {m.name: m for m in METRICS}
