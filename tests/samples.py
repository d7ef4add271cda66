"""Valid filled workbooks of every kind, for tests to break one cell at a time."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from cxexcel.forms import catalog
from cxexcel.programme import default_programme
from cxexcel.template import build_workbook

REGION = "Пермский край"
CZN = "ГКУ «ЦЗН г. Перми»"
REPORT_DATE = dt.date(2021, 10, 15)
D = dt.date


def title(kind: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "region": REGION,
        "responsible": "Иванова Мария Петровна",
        "position": "Начальник отдела",
        "phone": "+7 (342) 123-45-67",
        "email": "ivanova@czn-perm.ru",
        "report_date": REPORT_DATE,
    }
    if kind in ("journey", "measurements"):
        values["czn"] = CZN
    return values


def roadmap_rows() -> list[dict[str, Any]]:
    rows = []
    for item in default_programme().items:
        deadline = item.final_deadline
        if deadline is not None and deadline <= REPORT_DATE:
            rows.append({"code": item.code, "responsible": "Иванова М.П.", "status": catalog.STATUS_DONE,
                         "done_date": deadline - dt.timedelta(days=2), "planned": deadline})
        else:
            rows.append({"code": item.code, "responsible": "Петров С.С.", "status": catalog.STATUS_IN_PROGRESS})
    return rows


SAMPLES: dict[str, dict[str, Any]] = {
    "roadmap": {
        "Дорожная карта": roadmap_rows(),
        "Рабочая группа": [
            {"name": "Иванова Мария Петровна", "position": "Начальник отдела", "unit": "Отдел трудоустройства",
             "role": catalog.ROLE_LEADER},
            {"name": "Петров Сергей Сергеевич", "position": "Ведущий специалист", "unit": "Отдел профобучения",
             "role": "Участник"},
            {"name": "Сидорова Анна Ивановна", "position": "Инспектор", "unit": "Отдел трудоустройства",
             "role": "Участник", "email": "sidorova@czn-perm.ru"},
        ],
        "Совещания": [
            {"date": D(2021, 8, 20), "protocol": "1", "attendees": 7},
            {"date": D(2021, 9, 8), "protocol": "2", "attendees": 6},
            {"date": D(2021, 9, 28), "protocol": "3", "attendees": 8},
            {"date": D(2021, 10, 8), "protocol": "4", "attendees": 7},
        ],
    },
    "journey": {
        "Целевая аудитория": [{"category": "Соискатель", "description": "Молодежь до 30 лет без опыта работы"}],
        "Услуга": {"service": catalog.SERVICES[0]},
        "Показатели": [{"indicator": "Удовлетворенность", "unit": "%", "baseline": 70, "target": 85}],
        "Портрет клиента": {"persona": "Алексей", "age": 24, "gender": "Мужской"},
        "Путь клиента": [
            {"stage": "Обращение", "step": 1, "action": "Ищет вакансии", "touchpoint_code": "ТК-01",
             "touchpoint": "Портал", "channel": "Портал «Работа России»", "emotion": 0},
            {"stage": "Обращение", "step": 2, "action": "Записывается на прием", "touchpoint_code": "ТК-02",
             "touchpoint": "Запись", "channel": "Телефон", "emotion": -1},
            {"stage": "Прием", "step": 3, "action": "Приходит в ЦЗН", "touchpoint_code": "ТК-03",
             "touchpoint": "Зона ожидания", "channel": "Лично в ЦЗН", "emotion": -2, "duration": 15},
        ],
        "Карта решений": [
            {"number": 1, "touchpoint_code": "ТК-03", "problem": "Долгое ожидание", "solution": "Электронная очередь",
             "solution_type": "Системное", "responsible": "Петров С.С.", "deadline": D(2021, 10, 1),
             "status": catalog.STATUS_DONE},
        ],
        "Инструменты": [
            {"tool": "Электронная очередь", "description": "Терминал записи", "touchpoint_code": "ТК-03",
             "launch_date": D(2021, 9, 15), "metric": catalog.CSAT, "before": 60, "after": 80},
        ],
    },
    "measurements": {
        "Замеры": [
            {"date": D(2021, 9, 1) + dt.timedelta(days=i % 30), "touchpoint_code": f"ТК-0{1 + i % 3}",
             "channel": "Лично в ЦЗН", "method": "Анкетирование", "metric": catalog.CSAT, "value": 1 + i % 5,
             "respondent": f"R{i:04d}"}
            for i in range(40)
        ],
    },
    "final_report": {
        "Отчет": {"pilot_centres": CZN, "centres_count": 1, "audience_category": "Соискатель",
                  "audience": "Молодежь", "service": catalog.SERVICES[0], "tools_count": 1,
                  "tools": "Электронная очередь", "conclusions": "Пилот успешен"},
    },
    "consultations": {
        "Журнал консультаций": [
            {"date": D(2021, 8, 10), "region": REGION, "form": "Вебинар", "topic": "Дорожная карта",
             "question": "Как заполнить?", "consultant": "Смирнов А.А.", "status": "Закрыт",
             "closed_date": D(2021, 8, 11)},
        ],
    },
    "participants": {
        "Участники": [
            {"event": catalog.EVENTS[0], "date": D(2021, 7, 30), "name": "Иванова М.П.", "region": REGION},
        ],
    },
}


def sample_data(kind: str) -> dict[str, Any]:
    data = copy.deepcopy(SAMPLES[kind])
    data[catalog.TITLE_SHEET] = title(kind)
    return data


def write_sample(kind: str, path: Path, **changes: Any) -> Path:
    """A valid filled workbook of `kind`; `changes` replace whole sheets' data."""
    data = sample_data(kind)
    data.update(changes)
    return build_workbook(kind, path, data=data)
