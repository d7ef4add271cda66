"""Roadmap, team and meeting rules (items 1.4, 2.1.1, 2.1.9)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter

from cxexcel.forms import catalog
from cxexcel.forms.kinds import ROADMAP
from cxexcel.issues import Code
from cxexcel.programme import Programme, ProgrammeItem
from cxexcel.read.normalize import normalize_choice, normalize_name
from cxexcel.validate.checked import Record
from cxexcel.validate.rules.base import RuleContext, d, rule

ROADMAP_SHEET, TEAM_SHEET, MEETINGS_SHEET = (s.name for s in ROADMAP.sheets)
_OWN_PREFIX = normalize_choice(catalog.OWN_ITEM_PREFIX)
# how long before the pilot a region's own preparatory step may be done without a «проверьте год»
OWN_ITEM_LEAD_DAYS = 365
# a «№ п/п» typed as a number, as the checker writes it: «1,4» (whole numbers have no item of their own)
_NUMBER_CODE = re.compile(r"(\d+),(\d+)")


def item_code(record: Record) -> str:
    """The «№ п/п» as typed, without a trailing dot: "1.1." is 1.1."""
    code = record.get("code")
    return "" if code is None else str(code).strip().rstrip(".")


def record_item(programme: Programme, record: Record) -> ProgrammeItem | None:
    """The programme item a roadmap row stands for, as the rules read it (the summary reads it the same way):
    by its code, or by the one item a code typed as a number can be; None for own, unknown and unsure rows."""
    return code_item(programme, item_code(record))


def code_item(programme: Programme, code: str) -> ProgrammeItem | None:
    """The programme item of a «№ п/п» as typed (see `record_item`)."""
    item = programme.item(code)
    if item is None:
        candidates = items_of_number(programme, code)
        if len(candidates) == 1:
            item = programme.item(candidates[0])
    return item


def is_own_item(code: str) -> bool:
    return normalize_choice(code).startswith(_OWN_PREFIX)


@rule("roadmap")
def roadmap_items(ctx: RuleContext) -> None:
    if ROADMAP_SHEET not in ctx.wb.tables:
        return
    seen: dict[str, Record] = {}
    # items a number stood for that may be either of them (1.1 is also «1.10» typed as a number)
    unsure: set[str] = set()
    for record in ctx.wb.records(ROADMAP_SHEET):
        code = item_code(record)
        if not code:
            ctx.at(Code.ROADMAP_ITEM_UNKNOWN, ROADMAP_SHEET, record, "code",
                   "не указан номер пункта; для своих мероприятий используйте Р.1, Р.2 …")
            continue
        if is_own_item(code):
            # no regulation deadline: only the completion dates are checked
            _done_dates(ctx, record, code)
            continue
        item = ctx.programme.item(code)
        if item is None and (candidates := items_of_number(ctx.programme, code)):
            if len(candidates) > 1:
                unsure.update(candidates)
                listed = " или ".join(candidates)
                ctx.at(Code.ROADMAP_ITEM_UNKNOWN, ROADMAP_SHEET, record, "code",
                       f"номер «{code}» введен числом и может означать пункт {listed} (Excel хранит "
                       f"«{candidates[-1]}», введенное числом, как {code}); введите номер текстом: {listed}.")
                continue
            item = ctx.programme.item(candidates[0])
            assert item is not None
            ctx.at(Code.ROADMAP_ITEM_ALIAS, ROADMAP_SHEET, record, "code",
                   f"номер «{code}» введен числом или с запятой; прочитан как пункт {item.code}. "
                   f"Введите номер текстом с точкой: {item.code}.")
        elif item is None:
            ctx.at(Code.ROADMAP_ITEM_UNKNOWN, ROADMAP_SHEET, record, "code",
                   f"«{code}» не является пунктом программы; свои мероприятия нумеруйте Р.1, Р.2 …")
            continue
        elif code != item.code:
            ctx.at(Code.ROADMAP_ITEM_ALIAS, ROADMAP_SHEET, record, "code",
                   f"пункт «{code}» прочитан как {item.code} (опечатка в тексте регламента).")
        if item.code in seen:
            ctx.at(Code.ROADMAP_ITEM_DUPLICATE, ROADMAP_SHEET, record, "code",
                   f"пункт {item.code} уже указан в строке {seen[item.code].row}.")
            continue
        seen[item.code] = record
        _item_dates(ctx, record, item.code)
    for item in ctx.programme.items:
        if item.code not in seen and item.code not in unsure:
            ctx.at(Code.ROADMAP_ITEM_MISSING, ROADMAP_SHEET, None, None,
                   f"нет строки пункта {item.code} программы; строки программы удалять нельзя.",
                   value=item.code)


def items_of_number(programme: Programme, code: str) -> list[str]:
    """The programme items a «№ п/п» typed as a number (or with a comma) may stand for: «1,4» is item
    1.4; Excel keeps «2.10» typed as a number as 2.1, so «2,1» may also be 2.10."""
    match = _NUMBER_CODE.fullmatch(code)
    if match is None:
        return []
    whole, fraction = match.groups()
    found = []
    for item in programme.items:
        parts = item.code.split(".")
        if len(parts) == 2 and parts[0] == whole and fraction in (parts[1], parts[1].rstrip("0")):
            found.append(item.code)
    return found


def _done_dates(ctx: RuleContext, record: Record, code: str) -> None:
    """«Выполнено» needs «Дата выполнения», within the pilot and not after «Отчетная дата»; a date needs
    «Выполнено» (every row)."""
    status, done = record.get("status"), record.get("done_date")
    report_date = ctx.wb.report_date
    if status == catalog.STATUS_DONE and done is None and "done_date" in record.letters:
        ctx.at(Code.DONE_WITHOUT_DATE, ROADMAP_SHEET, record, "done_date",
               f"пункт {code} отмечен «{catalog.STATUS_DONE}», но не указана дата выполнения.")
    # nothing of the programme is done before it begins: most often a typo of the year (2012 for 2021); a
    # region's own step (an order signed to prepare) may come a little before, so its row is judged by the year
    earliest = ctx.programme.pilot_start if not is_own_item(code) else \
        ctx.programme.pilot_start - dt.timedelta(days=OWN_ITEM_LEAD_DAYS)
    if done is not None and done < earliest:
        ctx.at(Code.DATE_OUT_OF_PILOT, ROADMAP_SHEET, record, "done_date",
               f"дата выполнения {d(done)} раньше начала пилотной апробации ({d(ctx.programme.pilot_start)}); "
               "проверьте год.")
    if done is not None and report_date is not None and done > report_date:
        ctx.at(Code.DONE_AFTER_REPORT, ROADMAP_SHEET, record, "done_date",
               f"дата выполнения {d(done)} позже отчетной даты {d(report_date)}.")
    if done is not None and status not in (None, catalog.STATUS_DONE):
        ctx.at(Code.DATE_WITHOUT_DONE, ROADMAP_SHEET, record, "status",
               f"указана дата выполнения {d(done)}, но статус «{status}»; проверьте статус.")


def _item_dates(ctx: RuleContext, record: Record, code: str) -> None:
    item = ctx.programme.item(code)
    assert item is not None
    _done_dates(ctx, record, code)
    status = record.get("status")
    deadline = item.final_deadline
    if deadline is not None and status not in (catalog.STATUS_DONE, catalog.STATUS_CANCELLED) \
            and deadline < ctx.as_of:
        ctx.at(Code.OVERDUE, ROADMAP_SHEET, record, "status",
               f"пункт {code} не выполнен, срок по регламенту {d(deadline)} прошел "
               f"(на {d(ctx.as_of)}).")
    planned = record.get("planned")
    if planned is not None and deadline is not None and planned > deadline:
        ctx.at(Code.PLANNED_AFTER_DEADLINE, ROADMAP_SHEET, record, "planned",
               f"плановый срок {d(planned)} позже срока по регламенту {d(deadline)}.")


@rule("roadmap")
def team(ctx: RuleContext) -> None:
    if TEAM_SHEET not in ctx.wb.tables:
        return
    records = ctx.wb.records(TEAM_SHEET)
    leaders = [r for r in records if r.get("role") == catalog.ROLE_LEADER]
    if len(leaders) != 1:
        target = leaders[1] if len(leaders) > 1 else None
        ctx.at(Code.TEAM_LEADER, TEAM_SHEET, target, "role" if target else None,
               f"в рабочей группе {len(leaders)} с ролью «{catalog.ROLE_LEADER}»; должен быть ровно один.",
               value=len(leaders))
    units = {normalize_name(str(u)) for r in records if (u := r.get("unit"))}
    if records and len(units) < catalog.MIN_TEAM_UNITS:
        ctx.at(Code.TEAM_UNITS, TEAM_SHEET, None, None,
               f"в рабочей группе сотрудники {len(units)} подразделения; кросс-функциональная команда "
               f"включает сотрудников не менее {catalog.MIN_TEAM_UNITS} разных подразделений.",
               value=len(units))


def meeting_dates(records: list[Record]) -> list[dt.date]:
    return sorted(r.values["date"] for r in records if r.get("date") is not None)


def max_gap_days(dates: list[dt.date]) -> int | None:
    """The longest pause between consecutive meetings, in days (None with fewer than two)."""
    gaps = [(b - a).days for a, b in itertools.pairwise(dates)]
    return max(gaps) if gaps else None


@rule("roadmap")
def meetings(ctx: RuleContext) -> None:
    item = ctx.programme.meeting_item
    if MEETINGS_SHEET not in ctx.wb.tables or item is None:
        return
    records = [r for r in ctx.wb.records(MEETINGS_SHEET) if r.get("date") is not None]
    records.sort(key=lambda r: r.values["date"])
    dates = [r.values["date"] for r in records]
    for number, deadline in enumerate(item.deadlines, start=1):
        if deadline >= ctx.as_of:
            break
        held = sum(day <= deadline for day in dates)
        if held < number:
            ctx.at(Code.MEETING_DEADLINE, MEETINGS_SHEET, None, None,
                   f"к сроку {d(deadline)} проведено {held} совещ. из {number} по п. {item.code} "
                   "(не реже 1 раза в 3 недели).", value=held)
    cadence = item.cadence_days or 0
    for previous, current in itertools.pairwise(records):
        gap = (current.values["date"] - previous.values["date"]).days
        if cadence and gap > cadence:
            ctx.at(Code.MEETING_GAP, MEETINGS_SHEET, current, "date",
                   f"между совещаниями {d(previous.values['date'])} и {d(current.values['date'])} прошло "
                   f"{gap} дн.; по регламенту — не реже 1 раза в {cadence // 7} недели.", value=gap)
    report_date = ctx.wb.report_date
    protocols: Counter[str] = Counter()
    for record in ctx.wb.records(MEETINGS_SHEET):
        protocol = record.get("protocol")
        if protocol:
            protocols[normalize_choice(str(protocol))] += 1
            if protocols[normalize_choice(str(protocol))] == 2:
                ctx.at(Code.MEETING_DUPLICATE, MEETINGS_SHEET, record, "protocol",
                       f"протокол «{protocol}» указан повторно.")
        day = record.get("date")
        if day is not None and report_date is not None and day > report_date:
            ctx.at(Code.DATE_AFTER_REPORT, MEETINGS_SHEET, record, "date",
                   f"дата совещания {d(day)} позже отчетной даты {d(report_date)}.")
