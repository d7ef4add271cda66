"""Measurement answers kept compactly (arrays per touchpoint, channel and metric), so that
thousands of workbooks of thousands of answers fit in memory."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cxexcel.forms.kinds import MEASUREMENTS
from cxexcel.validate import CheckedWorkbook
from cxexcel.validate.rules.journey import touchpoint_key

MEASUREMENTS_SHEET = MEASUREMENTS.sheets[0].name
_Append = Callable[[Any], None]


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
    table = wb.columns(MEASUREMENTS_SHEET)
    digest = AnswerDigest(wb.sheet_name(MEASUREMENTS_SHEET), table.letters.get("touchpoint_code") if table else None)
    if not table:
        return digest
    blank: list[Any] = [None] * len(table)
    codes, days, values, channels, metrics = (
        table.values.get(key) or blank for key in ("touchpoint_code", "date", "value", "channel", "metric"))
    not_ok = table.not_ok
    # one pass over the columns (a pass costs more in touching thousands of values than in Python
    # work); the appends of each spelling of (code, channel, metric) are looked up once
    appends: dict[tuple[Any, Any, Any], tuple[_Append, _Append, _Append]] = {}
    for row, code, day, value, channel, metric in zip(table.rows, codes, days, values, channels, metrics, strict=True):
        if row in not_ok or not code or day is None or value is None:
            continue
        append = appends.get((code, channel, metric))
        if append is None:
            key = touchpoint_key(code)
            tp = digest.touchpoints.get(key)
            if tp is None:
                tp = digest.touchpoints[key] = TouchpointAnswers(code)
            series_key = (channel or "", metric or "")
            series = tp.series.get(series_key)
            if series is None:
                series = tp.series[series_key] = Series()
            append = appends[(code, channel, metric)] = (tp.rows.append, series.days.append, series.values.append)
        append[0](row)
        append[1](day.toordinal())
        append[2](float(value))
    return digest
