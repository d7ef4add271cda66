"""Measurement answers kept compactly (arrays per touchpoint, channel and metric), so that
thousands of workbooks of thousands of answers fit in memory."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from cxexcel.forms.kinds import MEASUREMENTS
from cxexcel.validate import CheckedWorkbook
from cxexcel.validate.rules.journey import touchpoint_key

MEASUREMENTS_SHEET = MEASUREMENTS.sheets[0].name


@dataclass
class Series:
    """Answers of one touchpoint, channel and metric: dates (ordinal days) and values."""

    days: array = field(default_factory=lambda: array("i"))
    values: array = field(default_factory=lambda: array("d"))


@dataclass
class TouchpointAnswers:
    code: str
    rows: array = field(default_factory=lambda: array("i"))
    # (channel, metric) -> series
    series: dict[tuple[str, str], Series] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(s.values) for s in self.series.values())


@dataclass
class AnswerDigest:
    """The error-free answers of one measurements workbook, by touchpoint."""

    sheet: str
    code_column: str | None
    touchpoints: dict[str, TouchpointAnswers] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(t.count for t in self.touchpoints.values())

    def values(self, metric: str, *, code_key: str | None = None, channel: str | None = None
               ) -> Iterator[tuple[int, float]]:
        """(day, value) pairs of a metric, optionally of one touchpoint and/or one channel."""
        touchpoints: Iterable[TouchpointAnswers]
        if code_key is None:
            touchpoints = self.touchpoints.values()
        else:
            found = self.touchpoints.get(code_key)
            touchpoints = [found] if found else []
        for tp in touchpoints:
            for (ch, m), series in tp.series.items():
                if m == metric and (channel is None or ch == channel):
                    yield from zip(series.days, series.values, strict=True)

    def channels(self) -> set[str]:
        return {ch for tp in self.touchpoints.values() for ch, _ in tp.series}

    def metrics(self) -> set[str]:
        return {m for tp in self.touchpoints.values() for _, m in tp.series}


def digest_answers(wb: CheckedWorkbook) -> AnswerDigest:
    """Fold the ok rows of «Замеры» into arrays; the per-row records can then be dropped."""
    records = wb.tables.get(MEASUREMENTS_SHEET, [])
    column = records[0].letters.get("touchpoint_code") if records else None
    digest = AnswerDigest(wb.sheet_name(MEASUREMENTS_SHEET), column)
    for record in records:
        if not record.ok:
            continue
        values = record.values
        code, day, value = values.get("touchpoint_code"), values.get("date"), values.get("value")
        if not code or day is None or value is None:
            continue
        key = touchpoint_key(code)
        tp = digest.touchpoints.get(key)
        if tp is None:
            tp = digest.touchpoints[key] = TouchpointAnswers(code)
        tp.rows.append(record.row)
        series_key = (values.get("channel") or "", values.get("metric") or "")
        series = tp.series.get(series_key)
        if series is None:
            series = tp.series[series_key] = Series()
        series.days.append(day.toordinal())
        series.values.append(float(value))
    return digest
