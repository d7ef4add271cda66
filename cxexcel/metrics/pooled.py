"""One metric's answers pooled from arrays, each figure computed once and equal to the list-based estimators."""

from __future__ import annotations

import functools
import math
import struct
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain, repeat
from typing import NamedTuple

from cxexcel.forms.catalog import METRICS_BY_NAME
from cxexcel.metrics.estimates import (
    DETRACTOR_MAX,
    PROMOTER_MIN,
    SHARE_SUCCESS,
    SUMMARIES,
    Estimate,
    EstimateKind,
    empty_estimate,
    mean_estimate,
    median_estimate,
    median_figure,
    nps_estimate,
    sample_variance,
    share_estimate,
    valid_values,
)

_NEGATIVE_ZERO = struct.pack("=d", -0.0)
_NEGATIVE_ZERO_BITS = struct.unpack("=q", _NEGATIVE_ZERO)[0]
# samples of a few answers on a closed scale repeat a lot (3 in 4 at national scale); the most frequent fit
# in a few thousand entries, which bounds the memory kept between runs to megabytes
_MEMO_SIZE = 1 << 13


class _Scale(NamedTuple):
    """What valid_values and SUMMARIES say about a metric, looked up once."""

    low: float
    high: float
    integer: bool
    headline: EstimateKind
    kinds: frozenset[EstimateKind]


_SCALES = {
    name: _Scale(float(metric.minimum), sys.float_info.max if metric.maximum is None else float(metric.maximum),
                 metric.integer, SUMMARIES[name][0][0], frozenset(kind for kind, _ in SUMMARIES[name]))
    for name, metric in METRICS_BY_NAME.items() if name in SUMMARIES
}


class Pool:
    """The answers of one metric from several arrays (a touchpoint's channels, a region's centres).

    `estimate(kind)` equals `estimate(metric, kind, list_of_all_the_values)` to the last bit, for a
    fraction of the cost: answers on an integer scale are counted by value in one C loop and the
    figures come from the counts; other answers are checked and summed over the arrays in C loops.
    """

    __slots__ = ("_counts", "_figures", "_parts", "_scale", "_values", "metric", "size")

    def __init__(self, metric_name: str, parts: Iterable[Sequence[float]] = ()) -> None:
        scale = _SCALES.get(metric_name)
        if scale is None:
            raise ValueError(f"unknown metric {metric_name!r}; expected one of {list(SUMMARIES)}")
        self.metric = metric_name
        self._scale = scale
        self._parts = parts if isinstance(parts, list) else list(parts)
        self.size = sum(map(len, self._parts))
        self._values: Sequence[float] | None = None
        self._counts: tuple[tuple[float, int], ...] | None = None
        self._figures: dict[EstimateKind, Estimate] = {}

    def __len__(self) -> int:
        """Every answer, on the scale or not (`len` of the list the estimators would be given)."""
        return self.size

    def headline(self) -> Estimate:
        """What `headline(metric, values)` gives."""
        return self.estimate(self._scale.headline)

    def estimate(self, kind: EstimateKind) -> Estimate:
        """What `estimate(metric, kind, values)` gives."""
        found = self._figures.get(kind)
        if found is None:
            if kind not in self._scale.kinds:
                raise ValueError(f"metric {self.metric!r} has no {kind.value} figure")
            counts = self._counted() if self._scale.integer else None
            found = _from_counts(self.metric, kind, counts) if counts is not None else self._from_values(kind)
            self._figures[kind] = found
        return found

    def values(self) -> Sequence[float]:
        """Every answer, in the order of the parts."""
        if self._values is None:
            if len(self._parts) == 1 and _is_double_array(self._parts[0]):
                self._values = self._parts[0]
            else:
                joined = array("d")
                for part in self._parts:
                    joined.extend(part if _is_double_array(part) else array("d", part))
                self._values = joined
        return self._values

    def _from_values(self, kind: EstimateKind) -> Estimate:
        answers = self._valid()
        n = len(answers)
        if kind is EstimateKind.MEDIAN:
            return median_estimate(answers)
        if n == 0:
            return empty_estimate(kind)
        if kind is EstimateKind.MEAN:
            mean = math.fsum(answers) / n
            return mean_estimate(self.metric, n, mean, lambda: sample_variance(answers, mean))
        if kind is EstimateKind.NPS:
            return nps_estimate(sum(1 for v in answers if v >= PROMOTER_MIN),
                                sum(1 for v in answers if v <= DETRACTOR_MAX), n)
        success = SHARE_SUCCESS[self.metric]
        return share_estimate(sum(1 for v in answers if success(v)), n)

    def _valid(self) -> Sequence[float]:
        """The answers valid_values keeps: all of them when they are finite and on the scale (the usual case)."""
        values = self.values()
        low, high, integer = self._scale.low, self._scale.high, self._scale.integer
        # a finite sum means no NaN and no infinity, so that min and max see every value
        if values and not integer and math.isfinite(sum(values)) and min(values) >= low and max(values) <= high:
            return values
        return valid_values(self.metric, values)

    def _counted(self) -> tuple[tuple[float, int], ...] | None:
        """(value, count) of the valid answers in value order, or None when a -0.0 is among the answers:
        counting would merge it with 0.0, and the list-based figures keep the sign of a zero."""
        if self._counts is None:
            # Counter.update counts in C
            counts: Counter[float] = Counter()
            for part in self._parts:
                counts.update(part)
            if 0.0 in counts and any(_has_negative_zero(part) for part in self._parts):
                return None
            low, high = self._scale.low, self._scale.high
            # the test of valid_values (NaN fails both comparisons)
            self._counts = tuple(sorted((x, c) for x, c in counts.items() if low <= x <= high and x.is_integer()))
        return self._counts


def _is_double_array(part: Sequence[float]) -> bool:
    return isinstance(part, array) and part.typecode == "d"


def _has_negative_zero(part: Sequence[float]) -> bool:
    doubles = part if isinstance(part, array) and part.typecode == "d" else array("d", part)
    data = doubles.tobytes()
    # the byte search is a quick no; a yes is confirmed on whole 8-byte values (a match may straddle two)
    return _NEGATIVE_ZERO in data and array("q", data).count(_NEGATIVE_ZERO_BITS) > 0


def _expanded(counts: Iterable[tuple[float, int]]) -> Iterable[float]:
    """Each value as many times as it was counted: math.fsum of it is fsum of the answers (fsum is
    correctly rounded, so the order does not matter)."""
    return chain.from_iterable(repeat(x, c) for x, c in counts)


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _from_counts(metric_name: str, kind: EstimateKind, counts: tuple[tuple[float, int], ...]) -> Estimate:
    """A figure from (value, count) pairs; the same counts give the same (frozen) figure."""
    n = sum(c for _, c in counts)
    if n == 0:
        return empty_estimate(kind)
    if kind is EstimateKind.SHARE:
        success = SHARE_SUCCESS[metric_name]
        return share_estimate(sum(c for x, c in counts if success(x)), n)
    if kind is EstimateKind.NPS:
        return nps_estimate(sum(c for x, c in counts if x >= PROMOTER_MIN),
                            sum(c for x, c in counts if x <= DETRACTOR_MAX), n)
    if kind is EstimateKind.MEAN:
        mean = math.fsum(_expanded(counts)) / n
        # (x - mean) ** 2 once per value, then summed as many times as it occurs: sample_variance's sum
        return mean_estimate(metric_name, n, mean,
                             lambda: math.fsum(_expanded(((x - mean) ** 2, c) for x, c in counts)) / (n - 1))
    return median_figure(n, _median(counts, n))


def _median(counts: tuple[tuple[float, int], ...], n: int) -> float:
    """statistics.median of the sorted answers: the middle one, or the mean of the two middle ones."""

    def at(rank: int) -> float:
        seen = 0
        for value, count in counts:
            seen += count
            if rank < seen:
                return value
        raise IndexError(rank)

    if n % 2 == 1:
        return at(n // 2)
    return (at(n // 2 - 1) + at(n // 2)) / 2
