"""Everything one pilot region sends: roadmap, journeys and measurements of its centres, lists and odd files."""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from cxexcel.demo.answers import answer_rows
from cxexcel.demo.dates import DAY, days, tools_deadline, workday
from cxexcel.demo.journeys import JourneyPlan, plan_journey, tool_rows
from cxexcel.demo.manifest import DemoCentre, DemoFile, DemoMistake, Expected
from cxexcel.demo.mistakes import Planted, plant_done_without_date, plant_in_answers, plant_second_leader
from cxexcel.demo.people import MEMBER_POSITIONS, UNITS, Person, area_code, people, person, phone, translit
from cxexcel.demo.places import Town
from cxexcel.demo.roadmap import (
    Member,
    event_dates,
    meeting_gap,
    plan_items,
    plan_meetings,
    plan_team,
    roadmap_rows,
)
from cxexcel.demo.texts import COVER_LETTER, FINAL_WEBINAR, PROBLEMS, PROPOSALS, TRAINING
from cxexcel.forms import TableSheet, WorkbookKind, catalog
from cxexcel.forms.kinds import FINAL_REPORT, JOURNEY, MEASUREMENTS, PARTICIPANTS, ROADMAP
from cxexcel.issues import Code
from cxexcel.metrics import headline
from cxexcel.programme import Programme
from cxexcel.read.normalize import cell_ref
from cxexcel.template import build_workbook, template_filename

ROADMAP_SHEET, TEAM_SHEET, MEETINGS_SHEET = (s.name for s in ROADMAP.sheets)
(AUDIENCE_SHEET, SERVICE_SHEET, INDICATORS_SHEET, PERSONA_SHEET, JOURNEY_SHEET, DECISIONS_SHEET,
 TOOLS_SHEET) = (s.name for s in JOURNEY.sheets)
(ANSWERS_SHEET,) = (s.name for s in MEASUREMENTS.sheets)
(REPORT_SHEET,) = (s.name for s in FINAL_REPORT.sheets)
(PARTICIPANTS_SHEET,) = (s.name for s in PARTICIPANTS.sheets)

COVER_LETTER_NAME = "Сопроводительное письмо.txt"
LOCK_PREFIX = "~$"
# what a mail client makes of an attachment cut off in transit: the first part of the file
TRUNCATED_SHARE = 0.6


@dataclass(frozen=True)
class CentrePlan:
    name: str
    # how the centre's measurements workbook spells its name (the same centre, typed differently)
    spelling: str
    town: Town
    answers: int
    mistakes: tuple[Code, ...] = ()


@dataclass(frozen=True)
class RegionPlan:
    """Decided up front for every region, so regions can be built in any order, in parallel."""

    region: str
    inbox: Path
    folder: str
    seed: str
    programme: Programme
    report_date: dt.date
    organisation: str
    centres: tuple[CentrePlan, ...]
    final_report: bool
    meeting_gap: bool
    mistakes: tuple[Code, ...] = ()
    # a second, older roadmap sent before the current one
    older_roadmap: dt.date | None = None
    # "csv" (a CSV renamed to .xlsx) or "truncated" (an attachment cut off)
    unreadable: str | None = None
    lock_file: bool = False
    cover_letter: bool = False


@dataclass
class CentreData:
    """One centre as generated: its plan, journey, answers and the before/after values it typed for its tools."""

    centre: CentrePlan
    journey: JourneyPlan
    answers: list[dict[str, object]]
    typed: dict[str, tuple[float | None, float | None]]


@dataclass
class RegionResult:
    files: list[DemoFile] = field(default_factory=list)
    mistakes: list[DemoMistake] = field(default_factory=list)
    centres: list[DemoCentre] = field(default_factory=list)


def table_cell(kind: WorkbookKind, sheet_name: str, key: str, index: int) -> str:
    """The cell of data row `index` (0-based) in column `key` of a table written by the template (header in row 1)."""
    sheet = kind.sheet(sheet_name)
    assert isinstance(sheet, TableSheet)
    return cell_ref(index + 1, [c.key for c in sheet.columns].index(key))


def file_time(day: dt.date, minute: int) -> float:
    """A modification time on the report day, the same on every machine."""
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC).timestamp() + 60 * minute


class RegionBuilder:
    def __init__(self, plan: RegionPlan) -> None:
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.programme = plan.programme
        self.folder = plan.inbox / plan.folder
        self.result = RegionResult()
        first_town = plan.centres[0].town
        self.domain = f"czn-{translit(first_town.name)}.ru"
        self.area = area_code(self.rng)
        self.events = event_dates(self.rng, plan.programme)
        self.files_written = 0

    # --- writing ------------------------------------------------------------------------------------

    def relative(self, name: str) -> str:
        return f"{self.plan.folder}/{name}"

    def write(self, kind: WorkbookKind, name: str, *, czn: str | None, report_date: dt.date,
              data: dict[str, object], expected: Expected = Expected.ACCEPTED, note: str = "") -> DemoFile:
        path = self.folder / name
        build_workbook(kind.key, path, programme=self.programme, region=self.plan.region, czn=czn,
                       report_date=report_date, data=data)
        return self.record(path, kind.key, czn, report_date, expected, note)

    def record(self, path: Path, kind: str | None, czn: str | None, report_date: dt.date | None,
               expected: Expected, note: str = "") -> DemoFile:
        day = report_date or self.plan.report_date
        stamp = file_time(day, self.files_written)
        self.files_written += 1
        os.utime(path, (stamp, stamp))
        region = self.plan.region if kind is not None else None
        demo_file = DemoFile(self.relative(path.name), kind, region, czn if kind else None,
                             report_date if kind else None, expected, note)
        self.result.files.append(demo_file)
        return demo_file

    def title(self, who: Person, position: str) -> dict[str, object]:
        return {"responsible": who.full, "position": position, "phone": phone(self.rng, self.area),
                "email": who.email(self.domain)}

    def mistake(self, planted: Planted, demo_file: DemoFile, kind: WorkbookKind, sheet: str,
                together_with: str | None = None) -> None:
        self.result.mistakes.append(DemoMistake(
            planted.code, demo_file.path, sheet, table_cell(kind, sheet, planted.key, planted.index),
            planted.value, planted.description, together_with,
        ))

    # --- the region -----------------------------------------------------------------------------------

    def build(self) -> RegionResult:
        plan, rng = self.plan, self.rng
        journeys: list[CentreData] = []
        team_stages: list[str] = []
        for n, centre in enumerate(plan.centres):
            data = self.centre(n, centre)
            journeys.append(data)
            team_stages += data.journey.stages
        team = plan_team(rng, list(dict.fromkeys(team_stages)), self.domain, self.area)
        roadmap_file = self.roadmap(team)
        self.participants(team)
        if plan.final_report:
            self.final_report(team, journeys)
        if plan.lock_file:
            lock = self.folder / f"{LOCK_PREFIX}{Path(roadmap_file.path).name}"
            lock.write_bytes(_lock_file_bytes(team[0].person))
            self.record(lock, None, None, None, Expected.IGNORED, "файл блокировки Excel")
        if plan.cover_letter:
            self.cover_letter(team[0])
        return self.result

    def centre(self, n: int, centre: CentrePlan) -> CentreData:
        plan = self.plan
        rng = random.Random(f"{plan.seed}:{n}")
        measure_start = workday(self.programme.pilot_start + days(rng.randint(21, 30)))
        # the last tool still gets a few weeks of answers after its launch
        launch_last = min(tools_deadline(self.programme), plan.report_date - days(18))
        units = rng.sample(UNITS, 4)
        responsible = [p.short for p in people(rng, 4)]
        journey = plan_journey(rng, units=units, responsible=responsible, measure_start=measure_start,
                               launch_last=launch_last, report_date=plan.report_date)
        answers = answer_rows(rng, journey, measure_start, plan.report_date - DAY, centre.answers)
        typed = self.typed_effects(journey, answers)
        planted = plant_in_answers(rng, answers, centre.mistakes, len(journey.touchpoints))

        author = person(rng)
        journey_file = self.write(JOURNEY, template_filename(JOURNEY, plan.region, centre.name), czn=centre.name,
                                  report_date=plan.report_date, data={
                                      catalog.TITLE_SHEET: self.title(author, rng.choice(MEMBER_POSITIONS)),
                                      AUDIENCE_SHEET: journey.audience_rows,
                                      SERVICE_SHEET: {"service": journey.service},
                                      INDICATORS_SHEET: journey.indicator_rows,
                                      PERSONA_SHEET: journey.persona.form(),
                                      JOURNEY_SHEET: journey.journey_rows,
                                      DECISIONS_SHEET: journey.decision_rows,
                                      TOOLS_SHEET: tool_rows(journey, typed),
                                  })
        surveyor = person(rng)
        name = template_filename(MEASUREMENTS, plan.region, centre.spelling)
        answers_file = self.write(MEASUREMENTS, name, czn=centre.spelling, report_date=plan.report_date, data={
            catalog.TITLE_SHEET: self.title(surveyor, rng.choice(MEMBER_POSITIONS)),
            ANSWERS_SHEET: answers,
            catalog.MEASUREMENT_SUMMARY_SHEET: [t.code for t in journey.touchpoints],
        })
        for mistake in planted:
            together = journey_file.path if mistake.code is Code.TOUCHPOINT_UNKNOWN else None
            self.mistake(mistake, answers_file, MEASUREMENTS, ANSWERS_SHEET, together)
        if plan.unreadable == "truncated" and n == 0:
            whole = self.folder / name
            cut = self.folder / name.replace(".xlsx", " (повторно).xlsx")
            content = whole.read_bytes()
            cut.write_bytes(content[: int(len(content) * TRUNCATED_SHARE)])
            self.record(cut, None, None, None, Expected.REJECTED, "вложение передано не полностью")
        spellings = tuple(dict.fromkeys((centre.name, centre.spelling)))
        self.result.centres.append(DemoCentre(plan.region, centre.name, spellings, len(journey.touchpoints),
                                              len(journey.tools), len(answers)))
        return CentreData(centre, journey, answers, typed)

    @staticmethod
    def typed_effects(journey: JourneyPlan, answers: list[dict[str, object]]
                      ) -> dict[str, tuple[float | None, float | None]]:
        """The before/after values a centre computes by hand for each tool from its own answers."""
        typed: dict[str, tuple[float | None, float | None]] = {}
        for tool in journey.tools:
            metric, code = tool.tool.metric, tool.touchpoint.code
            before: list[float] = []
            after: list[float] = []
            for row in answers:
                if row["touchpoint_code"] == code and row["metric"] == metric:
                    day, value = row["date"], row["value"]
                    if isinstance(day, dt.date) and isinstance(value, int | float):
                        (after if day >= tool.launch else before).append(float(value))
            first, second = headline(metric, before).value, headline(metric, after).value
            typed[code] = (None if first is None else round(first, 1), None if second is None else round(second, 1))
        return typed

    def roadmap(self, team: list[Member]) -> DemoFile:
        plan, rng = self.plan, self.rng
        meetings = plan_meetings(rng, self.programme, plan.report_date, len(team), plan.meeting_gap)
        courses = plan_items(rng, self.programme, report_date=plan.report_date, team=team, meetings=meetings,
                             events=self.events, organisation=plan.organisation, final_report=plan.final_report)
        leader = team[0]
        title = self.title(leader.person, leader.position)
        if plan.older_roadmap is not None:
            older = plan.older_roadmap
            name = template_filename(ROADMAP, plan.region).replace(".xlsx", f" от {older:%d.%m.%Y}.xlsx")
            self.write(ROADMAP, name, czn=None, report_date=older, expected=Expected.SUPERSEDED,
                       note="прежняя версия, заменена более новой", data={
                           catalog.TITLE_SHEET: title,
                           ROADMAP_SHEET: roadmap_rows(courses, older),
                           TEAM_SHEET: [m.row() for m in team],
                           MEETINGS_SHEET: [m.row() for m in meetings if m.date <= older],
                       })
        rows = roadmap_rows(courses, plan.report_date)
        team_rows = [m.row() for m in team]
        planted: list[Planted] = []
        if Code.DONE_WITHOUT_DATE in plan.mistakes:
            planted.append(plant_done_without_date(rng, rows, len(self.programme.items)))
        if Code.TEAM_LEADER in plan.mistakes:
            planted.append(plant_second_leader(rng, team_rows))
        held = [m for m in meetings if m.date <= plan.report_date]
        roadmap_file = self.write(ROADMAP, template_filename(ROADMAP, plan.region), czn=None,
                                  report_date=plan.report_date, data={
                                      catalog.TITLE_SHEET: title,
                                      ROADMAP_SHEET: rows,
                                      TEAM_SHEET: team_rows,
                                      MEETINGS_SHEET: [m.row() for m in held],
                                  })
        for mistake in planted:
            sheet = TEAM_SHEET if mistake.code is Code.TEAM_LEADER else ROADMAP_SHEET
            self.mistake(mistake, roadmap_file, ROADMAP, sheet)
        item = self.programme.meeting_item
        gap = meeting_gap(held, item.cadence_days or 0, plan.report_date) if item and item.cadence_days else None
        if gap is not None:
            days_between = (held[gap].date - held[gap - 1].date).days
            self.result.mistakes.append(DemoMistake(
                Code.MEETING_GAP, roadmap_file.path, MEETINGS_SHEET, table_cell(ROADMAP, MEETINGS_SHEET, "date", gap),
                held[gap].date, f"перерыв между совещаниями {days_between} дн.",
            ))
        return roadmap_file

    def participants(self, team: list[Member]) -> None:
        plan, rng = self.plan, self.rng
        rows: list[dict[str, object]] = []
        staff = [(p, rng.choice(MEMBER_POSITIONS), rng.choice(plan.centres).name)
                 for p in people(rng, rng.randint(3, 8))]
        for event, day in self.events.values():
            if day > plan.report_date:
                continue
            who: list[tuple[Person, str, str]] = [(m.person, m.position, "") for m in team]
            if event == TRAINING:
                who += staff
            elif event == FINAL_WEBINAR:
                who = who[: rng.randint(3, len(who))]
            else:
                who = [w for w in who if rng.random() < 0.8] or who[:1]
            rows += [{"event": event, "date": day, "name": p.full, "position": pos, "region": plan.region, "czn": czn}
                     for p, pos, czn in who]
        name = template_filename(PARTICIPANTS, plan.region)
        if plan.unreadable == "csv":
            # exported from an HR system as CSV and renamed: Excel opens it, the reader cannot
            sheet = PARTICIPANTS.sheets[0]
            assert isinstance(sheet, TableSheet)
            lines = [";".join(c.title for c in sheet.columns)]
            lines += [";".join(_csv_text(r.get(c.key)) for c in sheet.columns) for r in rows]
            path = self.folder / name
            path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251", errors="replace"))
            self.record(path, None, None, None, Expected.REJECTED, "CSV с расширением .xlsx")
            return
        leader = team[0]
        self.write(PARTICIPANTS, name, czn=None, report_date=plan.report_date, data={
            catalog.TITLE_SHEET: self.title(leader.person, leader.position),
            PARTICIPANTS_SHEET: rows,
        })

    def final_report(self, team: list[Member], journeys: list[CentreData]) -> None:
        plan, rng = self.plan, self.rng
        metrics: dict[str, tuple[list[float], list[float]]] = {m: ([], []) for m in (catalog.CSAT, catalog.NPS,
                                                                                       catalog.CES)}
        for data in journeys:
            launch = min(t.launch for t in data.journey.tools)
            for row in data.answers:
                day, value, metric = row["date"], row["value"], row["metric"]
                if isinstance(day, dt.date) and isinstance(value, int | float) and metric in metrics:
                    metrics[str(metric)][day >= launch].append(float(value))

        def figure(metric: str, after: bool) -> float | None:
            value = headline(metric, metrics[metric][after]).value
            return None if value is None else round(value, 1)

        first = journeys[0].journey
        tools = [t for data in journeys for t in data.journey.tools]
        effects = []
        for data in journeys:
            for tool in data.journey.tools:
                before, after = data.typed[tool.touchpoint.code]
                if before is not None and after is not None:
                    effects.append(f"{tool.tool.name}: {tool.tool.metric} {before:g} → {after:g}".replace(".", ","))
        leader = team[0]
        report = {
            "pilot_centres": "; ".join(data.centre.name for data in journeys),
            "centres_count": len(journeys),
            "pilot_start": self.programme.pilot_start,
            "pilot_end": self.programme.pilot_end,
            "team_size": len(team),
            "audience_category": first.category,
            "audience": first.audience_rows[0]["description"],
            "service": first.service,
            "stages_count": len(first.stages),
            "touchpoints_count": sum(len(data.journey.touchpoints) for data in journeys),
            "respondents_before": sum(len(metrics[m][0]) for m in metrics),
            "respondents_after": sum(len(metrics[m][1]) for m in metrics),
            "csat_before": figure(catalog.CSAT, False),
            "csat_after": figure(catalog.CSAT, True),
            "nps_before": figure(catalog.NPS, False),
            "nps_after": figure(catalog.NPS, True),
            "ces_before": figure(catalog.CES, False),
            "ces_after": figure(catalog.CES, True),
            "tools_count": len(tools),
            "tools": "; ".join(dict.fromkeys(t.tool.name for t in tools)),
            "tools_effect": "; ".join(effects),
            "problems": "; ".join(rng.sample(PROBLEMS, 2)),
            "proposals": "; ".join(rng.sample(PROPOSALS, 2)),
            "conclusions": "Элементы системы управления клиентским опытом апробированы; внедренные инструменты "
                           "повысили удовлетворенность клиентов в проблемных точках контакта. Рекомендуется "
                           "тиражирование практик во всех ЦЗН субъекта.",
        }
        self.write(FINAL_REPORT, template_filename(FINAL_REPORT, plan.region), czn=None,
                   report_date=plan.report_date, data={
                       catalog.TITLE_SHEET: self.title(leader.person, leader.position),
                       REPORT_SHEET: report,
                   })

    def cover_letter(self, sender: Member) -> None:
        plan = self.plan
        listed = "".join(f"  — {Path(f.path).name}\n" for f in self.result.files if f.kind is not None)
        text = COVER_LETTER.format(region=plan.region, date=f"{plan.report_date:%d.%m.%Y}", files=listed,
                                   sender=sender.person.full, position=sender.position,
                                   phone=sender.phone or phone(self.rng, self.area))
        path = self.folder / COVER_LETTER_NAME
        path.write_text(text, encoding="utf-8")
        self.record(path, None, None, None, Expected.SKIPPED, "не книга Excel")


def _csv_text(value: object) -> str:
    if isinstance(value, dt.date):
        return f"{value:%d.%m.%Y}"
    return "" if value is None else str(value).replace(";", ",")


def _lock_file_bytes(owner: Person) -> bytes:
    """What Excel writes beside an open workbook: the owner's name, in two encodings."""
    user = translit(owner.surname).capitalize()[:53]
    ascii_part = bytes([len(user)]) + user.encode("ascii").ljust(53, b" ")
    wide = user.encode("utf-16-le").ljust(110, b"\x00")
    return ascii_part + b"\x00\x00" + bytes([len(user), 0]) + wide


def build_region(plan: RegionPlan) -> RegionResult:
    """Write every file of one region (runs in a worker process when regions are built in parallel)."""
    return RegionBuilder(plan).build()
