"""A region's roadmap workbook: how each programme item went, the team, and its meetings."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from cxexcel.demo.dates import between, days, workday
from cxexcel.demo.people import LEADER_POSITIONS, MEMBER_POSITIONS, UNITS, Person, people, phone
from cxexcel.demo.texts import (
    COMMENTS_IN_PROGRESS,
    COMMENTS_LATE,
    COMMENTS_OVERDUE,
    MEETING_TOPICS,
    MEMBER,
    OWN_ITEMS,
    ROUTINE_MEETING,
)
from cxexcel.forms import catalog
from cxexcel.forms.kinds import FINAL_REPORT, JOURNEY, MEASUREMENTS, PARTICIPANTS
from cxexcel.programme import Programme, ProgrammeItem

FEDERAL_CENTRE = "ФЦК"
# "Установочный вебинар (п. 1.1)": the programme item an event belongs to
_EVENT_ITEM = re.compile(r"п\.\s*([\d.]+)")


@dataclass(frozen=True)
class Member:
    person: Person
    position: str
    unit: str
    role: str
    stage: str
    phone: str
    email: str

    def row(self) -> dict[str, object]:
        return {"name": self.person.full, "position": self.position, "unit": self.unit, "role": self.role,
                "stage": self.stage, "phone": self.phone, "email": self.email}


@dataclass(frozen=True)
class Meeting:
    date: dt.date
    protocol: str
    attendees: int
    agenda: str
    decisions: str

    def row(self) -> dict[str, object]:
        return {"date": self.date, "protocol": self.protocol, "attendees": self.attendees, "agenda": self.agenda,
                "decisions": self.decisions}


@dataclass(frozen=True)
class ItemCourse:
    """How one roadmap row goes over the whole pilot; a report shows it as of its date."""

    code: str
    deadline: dt.date | None
    planned: dt.date | None
    start: dt.date
    done: dt.date | None
    responsible: str
    evidence: str
    comment_late: str
    comment_overdue: str
    comment_progress: str
    cancelled: bool = False
    # the region's own rows carry their wording; programme rows get it from the template
    title: str = ""
    result: str = ""
    federal: bool = False


def plan_team(rng: random.Random, stages: list[str], domain: str, area: str) -> list[Member]:
    """5–10 people of 2–5 units with exactly one team leader, listed first."""
    size = rng.randint(5, 10)
    units = rng.sample(UNITS, rng.randint(2, min(5, size)))
    staff = people(rng, size)
    members: list[Member] = []
    for n, who in enumerate(staff):
        leader = n == 0
        # every unit has somebody in the team: the first members go one per unit
        unit = units[n] if n < len(units) else rng.choice(units)
        position = rng.choice(LEADER_POSITIONS if leader else MEMBER_POSITIONS)
        stage = "" if leader or rng.random() < 0.2 else rng.choice(stages)
        members.append(Member(
            person=who,
            position=position,
            unit=unit,
            role=catalog.ROLE_LEADER if leader else MEMBER,
            stage=stage,
            phone=phone(rng, area) if rng.random() < 0.85 else "",
            email=who.email(domain) if rng.random() < 0.8 else "",
        ))
    return members


def plan_meetings(rng: random.Random, programme: Programme, last_day: dt.date, team_size: int,
                  with_gap: bool) -> list[Meeting]:
    """A meeting every 2–3 weeks from mid-August; with_gap puts one pause longer than the cadence."""
    item = programme.meeting_item
    cadence = item.cadence_days if item and item.cadence_days else 21
    # the first meeting approves the roadmap (item 1.4), due by mid-August
    day = workday(programme.pilot_start + days(rng.randint(12, 21)))
    numbering = rng.choice(("{n}", "{n}-РГ", "РГ/{n}"))
    gap_at = rng.randint(2, 4) if with_gap else -1
    meetings: list[Meeting] = []
    while day <= last_day:
        n = len(meetings) + 1
        agenda, decisions = MEETING_TOPICS[n - 1] if n <= len(MEETING_TOPICS) else ROUTINE_MEETING
        meetings.append(Meeting(day, numbering.format(n=n), rng.randint(max(3, team_size - 3), team_size),
                                agenda, decisions))
        step = rng.randint(cadence + 2, cadence + 9) if n == gap_at else rng.choice((14, 14, 14, 16, 19, 21))
        day = workday(day + days(step))
    return meetings


def meeting_gap(meetings: list[Meeting], cadence: int, as_of: dt.date) -> int | None:
    """Index of the first meeting held more than `cadence` days after the previous one, up to as_of."""
    held = [m for m in meetings if m.date <= as_of]
    for n in range(1, len(held)):
        if (held[n].date - held[n - 1].date).days > cadence:
            return n
    return None


def _evidence(item: ProgrammeItem, done: dt.date, organisation: str, meetings: list[Meeting],
              rng: random.Random) -> str:
    title = item.title.lower()
    if "приказ" in title:
        return f"Приказ {organisation} от {done:%d.%m.%Y} № {rng.randint(40, 260)}-од"
    if "вебинар" in title:
        return f"Список участников (книга «{PARTICIPANTS.title}»)"
    for kind in (JOURNEY, MEASUREMENTS, FINAL_REPORT):
        # the last sheet of an item holds its result: «Путь клиента» rather than «Услуга» for 2.1.5
        sheets = [sheet for sheet in kind.sheets if item.code in sheet.items]
        if sheets:
            return f"Книга «{kind.title}», лист «{sheets[-1].name}»"
    held = [m for m in meetings if m.date <= done]
    if held:
        return f"Протокол рабочей группы от {held[-1].date:%d.%m.%Y} № {held[-1].protocol}"
    return "Служебная записка руководителю СЗН"


def plan_items(
    rng: random.Random,
    programme: Programme,
    *,
    report_date: dt.date,
    team: list[Member],
    meetings: list[Meeting],
    events: dict[str, tuple[str, dt.date]],
    organisation: str,
    final_report: bool,
) -> list[ItemCourse]:
    """Every programme item's course (mostly on time, some late, a few overdue) and 0–2 of the region's own."""
    responsible = [m.person.short for m in team]
    final_items = set(FINAL_REPORT.items)
    courses: list[ItemCourse] = []
    for item in programme.items:
        deadline = item.final_deadline
        late, overdue = rng.choice(COMMENTS_LATE), rng.choice(COMMENTS_OVERDUE)
        progress = rng.choice(COMMENTS_IN_PROGRESS)
        who = rng.choice(responsible)
        if item.responsible.strip() == FEDERAL_CENTRE:
            courses.append(ItemCourse(item.code, deadline, None, programme.pilot_start, None, FEDERAL_CENTRE, "",
                                      late, overdue, "Исполнитель — ФЦК", federal=True))
            continue
        if deadline is None:
            start = programme.pilot_start + days(rng.randint(5, 25))
            done = workday(start + days(rng.randint(10, 40))) if rng.random() < 0.4 else None
            planned = None
        else:
            start = max(programme.pilot_start, deadline - days(rng.randint(12, 30)))
            done = _done_date(rng, item, start, deadline, report_date, meetings, final_report, final_items)
            if item.code in events:
                # a webinar or a training is done the day it is held
                done = events[item.code][1]
                start = min(start, done)
            planned = _planned(rng, deadline)
        evidence = _evidence(item, done, organisation, meetings, rng) if done else ""
        courses.append(ItemCourse(item.code, deadline, planned, start, done, who, evidence, late, overdue, progress))
    own = rng.choice((0, 0, 0, 1, 2))
    for n, (title, result) in enumerate(rng.sample(OWN_ITEMS, own), start=1):
        planned = workday(between(rng, programme.pilot_start + days(20), programme.pilot_end - days(10)))
        start = planned - days(rng.randint(10, 25))
        done = workday(planned + days(rng.randint(-6, 8))) if rng.random() < 0.7 else None
        courses.append(ItemCourse(f"{catalog.OWN_ITEM_PREFIX}{n}", None, planned, start, done, rng.choice(responsible),
                                  "Служебная записка" if done else "", "", "", rng.choice(COMMENTS_IN_PROGRESS),
                                  cancelled=rng.random() < 0.15, title=title, result=result))
    return courses


def _planned(rng: random.Random, deadline: dt.date) -> dt.date:
    roll = rng.random()
    if roll < 0.7:
        return deadline
    if roll < 0.96:
        return workday(deadline - days(rng.randint(1, 7)))
    # a region that knows it will be late says so (a warning in the check)
    return workday(deadline + days(rng.randint(3, 14)))


def _done_date(rng: random.Random, item: ProgrammeItem, start: dt.date, deadline: dt.date, report_date: dt.date,
               meetings: list[Meeting], final_report: bool, final_items: set[str]) -> dt.date | None:
    if item.cadence_days:
        # the meetings item is done with the last meeting of the pilot, if at all
        held = [m.date for m in meetings if m.date <= report_date]
        return held[-1] if report_date >= deadline and held and rng.random() < 0.6 else None
    if item.code in final_items:
        return workday(report_date - days(rng.randint(0, 3))) if final_report else None
    roll = rng.random()
    if roll < 0.72:
        done = deadline - days(rng.randint(0, 7))
    elif roll < 0.87:
        done = deadline + days(rng.randint(2, 18))
    else:
        done = deadline + days(rng.randint(19, 50))
    return max(workday(done), start + days(1))


def roadmap_rows(courses: list[ItemCourse], as_of: dt.date) -> list[dict[str, object]]:
    """The «Дорожная карта» rows as a region reports them on as_of."""
    rows: list[dict[str, object]] = []
    for course in courses:
        status, done_date, comment = _status(course, as_of)
        row: dict[str, object] = {
            "code": course.code,
            "planned": course.planned,
            "responsible": course.responsible,
            "status": status,
            "done_date": done_date,
            "evidence": course.evidence if status == catalog.STATUS_DONE else "",
            "comment": comment,
        }
        if course.title:
            row.update(title=course.title, result=course.result)
        rows.append(row)
    return rows


def _status(course: ItemCourse, as_of: dt.date) -> tuple[str, dt.date | None, str]:
    if course.federal:
        return catalog.STATUS_IN_PROGRESS, None, course.comment_progress
    if course.cancelled and course.start <= as_of:
        return catalog.STATUS_CANCELLED, None, "Признано нецелесообразным по решению рабочей группы"
    if course.done is not None and course.done <= as_of:
        late = course.deadline is not None and course.done > course.deadline
        return catalog.STATUS_DONE, course.done, course.comment_late if late else ""
    if course.start <= as_of:
        overdue = course.deadline is not None and course.deadline < as_of
        return catalog.STATUS_IN_PROGRESS, None, course.comment_overdue if overdue else course.comment_progress
    return catalog.STATUS_NOT_STARTED, None, ""


def event_dates(rng: random.Random, programme: Programme) -> dict[str, tuple[str, dt.date]]:
    """Programme item -> (event of the «Участники» list, its day).

    Federal webinars fall on one day for all regions; a region's training on its own day.
    """
    dates: dict[str, tuple[str, dt.date]] = {}
    for event in catalog.EVENTS:
        match = _EVENT_ITEM.search(event)
        item = programme.item(match.group(1)) if match else None
        deadline = item.final_deadline if item else None
        if item is None or deadline is None:
            continue
        if FEDERAL_CENTRE in item.responsible:
            # one webinar for all regions, a few days before its deadline
            day = workday(max(programme.pilot_start + days(1), deadline - days(4)))
        else:
            day = workday(deadline - days(rng.randint(3, 12)))
        dates[item.code] = (event, day)
    return dates
