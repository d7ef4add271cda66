"""Measurement rules: values on their metric's scale, dates within the pilot (item 2.1.6)."""

from __future__ import annotations

from typing import Any

from cxexcel.forms import catalog
from cxexcel.forms.kinds import MEASUREMENTS
from cxexcel.issues import Code
from cxexcel.validate.cells import format_value
from cxexcel.validate.rules.base import RuleContext, d, rule

MEASUREMENTS_SHEET = MEASUREMENTS.sheets[0].name


def scale_text(metric: catalog.Metric) -> str:
    kind = "целое" if metric.integer else "число"
    if metric.maximum is None:
        return f"{kind} не меньше {format_value(metric.minimum)}"
    if metric.integer and metric.maximum - metric.minimum == 1:
        return f"{format_value(metric.minimum)} или {format_value(metric.maximum)}"
    return f"{kind} от {format_value(metric.minimum)} до {format_value(metric.maximum)}"


def on_scale(metric: catalog.Metric, value: float) -> bool:
    if metric.integer and not float(value).is_integer():
        return False
    return value >= metric.minimum and (metric.maximum is None or value <= metric.maximum)


@rule("measurements")
def values_and_dates(ctx: RuleContext) -> None:
    table = ctx.wb.columns(MEASUREMENTS_SHEET)
    if not table:
        return
    programme, report_date = ctx.programme, ctx.wb.report_date
    blank: list[Any] = [None] * len(table)
    metrics, values, days = (table.values.get(key) or blank for key in ("metric", "value", "date"))
    # thousands of answers repeat a few metrics, scale values and dates: each is judged once, and
    # only the rows of a bad one are visited
    off_scale = {(name, value) for name, value in set(zip(metrics, values, strict=True))
                 if value is not None and (metric := catalog.METRICS_BY_NAME.get(name or "")) is not None
                 and not on_scale(metric, value)}
    bad_days = {day for day in set(days) if day is not None and (
        not programme.pilot_start <= day <= programme.pilot_end or (report_date is not None and day > report_date))}
    flagged: set[int] = set()
    if off_scale:
        flagged.update(i for i, pair in enumerate(zip(metrics, values, strict=True)) if pair in off_scale)
    if bad_days:
        flagged.update(i for i, day in enumerate(days) if day in bad_days)
    for i in sorted(flagged):
        record = table.record(i)
        metric = catalog.METRICS_BY_NAME.get(record.get("metric") or "")
        value = record.get("value")
        if metric is not None and value is not None and not on_scale(metric, value):
            ctx.at(Code.VALUE_OFF_SCALE, MEASUREMENTS_SHEET, record, "value",
                   f"значение {format_value(value)} вне шкалы {metric.name}: {scale_text(metric)}.")
        day = record.get("date")
        if day is None:
            continue
        if not programme.pilot_start <= day <= programme.pilot_end:
            ctx.at(Code.DATE_OUT_OF_PILOT, MEASUREMENTS_SHEET, record, "date",
                   f"дата {d(day)} вне периода пилотной апробации "
                   f"({d(programme.pilot_start)}–{d(programme.pilot_end)}).")
        elif report_date is not None and day > report_date:
            ctx.at(Code.DATE_AFTER_REPORT, MEASUREMENTS_SHEET, record, "date",
                   f"дата замера {d(day)} позже отчетной даты {d(report_date)}.")
