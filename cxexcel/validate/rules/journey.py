"""Journey rules: touchpoints, stages, decisions and tools (items 2.1.5, 2.1.8, 2.1.11)."""

from __future__ import annotations

from cxexcel.forms.kinds import DECISIONS_SHEET, JOURNEY_MAP_SHEET, TOOLS_SHEET
from cxexcel.issues import Code
from cxexcel.read.normalize import normalize_choice
from cxexcel.validate.checked import CheckedWorkbook, Record
from cxexcel.validate.rules.base import RuleContext, d, rule

JOURNEY_SHEET = JOURNEY_MAP_SHEET


def touchpoint_key(code: object) -> str:
    """Touchpoint codes compare like list values: "тк-01" and "ТК-01" are one touchpoint."""
    return normalize_choice(str(code))


def journey_touchpoints(wb: CheckedWorkbook) -> dict[str, str]:
    """Normalised code -> code as spelled, for every touchpoint of a journey workbook."""
    codes: dict[str, str] = {}
    for record in wb.records(JOURNEY_SHEET):
        code = record.get("touchpoint_code")
        if code:
            codes.setdefault(touchpoint_key(code), code)
    return codes


@rule("journey")
def touchpoints(ctx: RuleContext) -> None:
    seen: dict[str, Record] = {}
    stages: dict[str, list[Record]] = {}
    for record in ctx.wb.records(JOURNEY_SHEET):
        code = record.get("touchpoint_code")
        if code:
            key = touchpoint_key(code)
            if key in seen:
                ctx.at(Code.TOUCHPOINT_DUPLICATE, JOURNEY_SHEET, record, "touchpoint_code",
                       f"код «{code}» уже использован в строке {seen[key].row}; коды точек контакта "
                       "уникальны в книге.")
            else:
                seen[key] = record
        stage = record.get("stage")
        if stage:
            stages.setdefault(normalize_choice(stage), []).append(record)
    for rows in stages.values():
        if all(r.get("step") is None for r in rows):
            ctx.at(Code.STAGE_WITHOUT_STEP, JOURNEY_SHEET, rows[0], "stage",
                   f"у этапа «{rows[0].get('stage')}» нет ни одного шага с номером.")


def check_references(ctx: RuleContext, sheet: str, records: list[Record], known: dict[str, str],
                     source: str) -> None:
    """Every touchpoint code used must exist in the journey of the same centre."""
    for record in records:
        code = record.get("touchpoint_code")
        if code and touchpoint_key(code) not in known:
            ctx.at(Code.TOUCHPOINT_UNKNOWN, sheet, record, "touchpoint_code",
                   f"точки контакта «{code}» нет в {source}.")


@rule("journey")
def decisions_and_tools(ctx: RuleContext) -> None:
    known = journey_touchpoints(ctx.wb)
    if JOURNEY_SHEET not in ctx.wb.tables:
        return
    source = f"листе «{ctx.wb.sheet_name(JOURNEY_SHEET)}» этой книги"
    for sheet in (DECISIONS_SHEET, TOOLS_SHEET):
        check_references(ctx, sheet, ctx.wb.records(sheet), known, source)
    if TOOLS_SHEET not in ctx.wb.tables:
        return
    tools = ctx.wb.records(TOOLS_SHEET)
    if not tools:
        ctx.at(Code.NO_TOOLS, TOOLS_SHEET, None, None,
               "не указан ни один инструмент; по п. 2.1.11 реализуется минимум один.")
    report_date = ctx.wb.report_date
    for record in tools:
        launch, after = record.get("launch_date"), record.get("after")
        if launch is not None and after is not None and report_date is not None and launch > report_date:
            ctx.at(Code.TOOL_AFTER_BEFORE_LAUNCH, TOOLS_SHEET, record, "after",
                   f"«Значение после» указано, но инструмент запускается {d(launch)}, позже отчетной даты "
                   f"{d(report_date)}: значение после запуска еще не могло быть измерено.")
