"""The FORMS.md §5 figures of one metric's answers: shares, NPS, means and medians with n and a 95% CI."""

from __future__ import annotations

import math
import statistics
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from functools import partial
from typing import Any

from cxexcel.forms.catalog import (
    CES,
    CSAT,
    FIRST_CONTACT,
    METRICS_BY_NAME,
    NPS,
    SERVICE_TIME,
    SMALL_SAMPLE,
    WAIT_TIME,
)
from cxexcel.metrics.stats import normal_ppf, nps_variance, t_ppf, wilson_interval

CONFIDENCE = 0.95


class EstimateKind(StrEnum):
    """What an estimate's value is: it decides the unit and the test of a difference."""

    SHARE = "share"  # percent of answers, 0-100, Wilson interval
    NPS = "nps"  # percent promoters - percent detractors, -100..100
    MEAN = "mean"  # on the metric's own scale, Student t interval
    MEDIAN = "median"  # on the metric's own scale, no interval


@dataclass(frozen=True)
class Estimate:
    """One figure with its sample size and 95% interval; value is None when n is 0.

    small_sample marks figures from fewer than SMALL_SAMPLE answers («мало данных»).
    The interval is None where it cannot be computed (n < 2 for a mean, a median).
    """

    kind: EstimateKind
    n: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    small_sample: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (kind as its string)."""
        data = asdict(self)
        data["kind"] = self.kind.value
        return data


Estimator = Callable[[Iterable[float]], Estimate]


def valid_values(metric_name: str, values: Iterable[float]) -> list[float]:
    """The finite values on the metric's declared scale; the rest are validation's business."""
    metric = METRICS_BY_NAME.get(metric_name)
    if metric is None:
        raise ValueError(f"unknown metric {metric_name!r}; expected one of {list(METRICS_BY_NAME)}")
    low = float(metric.minimum)
    # open scales stop short of infinity: an infinite answer is no answer
    high = sys.float_info.max if metric.maximum is None else float(metric.maximum)
    # comprehensions, not a loop of checks: a summary filters millions of answers
    numbers = [float(v) for v in values]
    kept = [x for x in numbers if low <= x <= high]  # NaN fails both comparisons
    if metric.integer:
        kept = [x for x in kept if x.is_integer()]
    return kept


def sample_variance(values: Sequence[float], mean: float) -> float:
    """Unbiased sample variance in plain floats (statistics.variance is exact but ~50× slower)."""
    return math.fsum((x - mean) ** 2 for x in values) / (len(values) - 1)


def empty_estimate(kind: EstimateKind) -> Estimate:
    """The figure of no answers."""
    return Estimate(kind, 0, None, None, None, True)


def _share(values: list[float], success: Callable[[float], bool]) -> Estimate:
    n = len(values)
    if n == 0:
        return empty_estimate(EstimateKind.SHARE)
    return share_estimate(sum(1 for v in values if success(v)), n)


def share_estimate(successes: int, n: int) -> Estimate:
    """A share's figure from its counts (n >= 1): percent, Wilson interval."""
    low, high = wilson_interval(successes, n, CONFIDENCE)
    return Estimate(EstimateKind.SHARE, n, 100.0 * successes / n, 100.0 * low, 100.0 * high, n < SMALL_SAMPLE)


def _mean(metric_name: str, values: Sequence[float]) -> Estimate:
    n = len(values)
    if n == 0:
        return empty_estimate(EstimateKind.MEAN)
    mean = math.fsum(values) / n
    return mean_estimate(metric_name, n, mean, lambda: sample_variance(values, mean))


def mean_estimate(metric_name: str, n: int, mean: float, variance: Callable[[], float]) -> Estimate:
    """A mean's figure (n >= 1) with its Student t interval; `variance` is asked for only when n >= 2."""
    if n == 1:
        return Estimate(EstimateKind.MEAN, 1, mean, None, None, True)
    half = t_ppf(0.5 + CONFIDENCE / 2.0, n - 1) * math.sqrt(variance() / n)
    # a mean of answers on a bounded scale lies on that scale: cut the interval to it
    metric = METRICS_BY_NAME[metric_name]
    low = max(mean - half, float(metric.minimum))
    high = mean + half if metric.maximum is None else min(mean + half, float(metric.maximum))
    return Estimate(EstimateKind.MEAN, n, mean, min(low, mean), max(high, mean), n < SMALL_SAMPLE)


# which answers a share counts (FORMS.md §5); shares computed from counts (pooled.py) use the same table
SHARE_SUCCESS: dict[str, Callable[[float], bool]] = {
    CSAT: lambda v: v >= 4,
    CES: lambda v: v >= 5,
    FIRST_CONTACT: lambda v: v == 1,
}
# NPS: promoters answer 9-10, detractors 0-6
PROMOTER_MIN = 9
DETRACTOR_MAX = 6


def csat(values: Iterable[float]) -> Estimate:
    """CSAT %: percent of answers 4-5 among the 1-5 answers, Wilson interval."""
    return _share(valid_values(CSAT, values), SHARE_SUCCESS[CSAT])


def csat_mean(values: Iterable[float]) -> Estimate:
    """Mean CSAT answer (1-5), Student t interval."""
    return _mean(CSAT, valid_values(CSAT, values))


def ces(values: Iterable[float]) -> Estimate:
    """Mean CES answer (1-7, 7 = very easy), Student t interval."""
    return _mean(CES, valid_values(CES, values))


def ces_share(values: Iterable[float]) -> Estimate:
    """Percent of CES answers 5-7, Wilson interval."""
    return _share(valid_values(CES, values), SHARE_SUCCESS[CES])


def first_contact_resolution(values: Iterable[float]) -> Estimate:
    """Percent of first-contact answers equal to 1 (resolved), Wilson interval."""
    return _share(valid_values(FIRST_CONTACT, values), SHARE_SUCCESS[FIRST_CONTACT])


def nps_counts(values: Iterable[float]) -> tuple[int, int, int]:
    """(promoters 9-10, detractors 0-6, n) among the 0-10 answers."""
    answers = valid_values(NPS, values)
    promoters = sum(1 for v in answers if v >= PROMOTER_MIN)
    detractors = sum(1 for v in answers if v <= DETRACTOR_MAX)
    return promoters, detractors, len(answers)


def nps(values: Iterable[float]) -> Estimate:
    """NPS = % answers 9-10 - % answers 0-6, with the standard normal interval cut to ±100."""
    return nps_estimate(*nps_counts(values))


def nps_estimate(promoters: int, detractors: int, n: int) -> Estimate:
    """NPS from its counts, with the standard normal interval cut to ±100."""
    if n == 0:
        return empty_estimate(EstimateKind.NPS)
    value = 100.0 * (promoters - detractors) / n
    half = 100.0 * normal_ppf(0.5 + CONFIDENCE / 2.0) * math.sqrt(nps_variance(promoters, detractors, n) / n)
    low, high = max(-100.0, value - half), min(100.0, value + half)
    return Estimate(EstimateKind.NPS, n, value, low, high, n < SMALL_SAMPLE)


def time_mean(values: Iterable[float], metric_name: str = WAIT_TIME) -> Estimate:
    """Mean time in minutes (>= 0), Student t interval."""
    return _mean(metric_name, valid_values(metric_name, values))


def time_median(values: Iterable[float], metric_name: str = WAIT_TIME) -> Estimate:
    """Median time in minutes (>= 0), without an interval."""
    return median_estimate(valid_values(metric_name, values))


def median_estimate(answers: Sequence[float]) -> Estimate:
    """The median of valid answers, without an interval."""
    n = len(answers)
    if n == 0:
        return empty_estimate(EstimateKind.MEDIAN)
    return median_figure(n, statistics.median(answers))


def median_figure(n: int, median: float) -> Estimate:
    """A median's figure (n >= 1): no interval."""
    return Estimate(EstimateKind.MEDIAN, n, float(median), None, None, n < SMALL_SAMPLE)


def time_stats(values: Iterable[float], metric_name: str = WAIT_TIME) -> dict[str, Estimate]:
    """Mean (with interval) and median of a time metric, keyed "mean" and "median"."""
    answers = list(values)
    return {
        EstimateKind.MEAN.value: time_mean(answers, metric_name),
        EstimateKind.MEDIAN.value: time_median(answers, metric_name),
    }


# The one table of what each metric gets; the first entry is its headline figure.
SUMMARIES: dict[str, tuple[tuple[EstimateKind, Estimator], ...]] = {
    CSAT: ((EstimateKind.SHARE, csat), (EstimateKind.MEAN, csat_mean)),
    NPS: ((EstimateKind.NPS, nps),),
    CES: ((EstimateKind.MEAN, ces), (EstimateKind.SHARE, ces_share)),
    WAIT_TIME: (
        (EstimateKind.MEAN, partial(time_mean, metric_name=WAIT_TIME)),
        (EstimateKind.MEDIAN, partial(time_median, metric_name=WAIT_TIME)),
    ),
    SERVICE_TIME: (
        (EstimateKind.MEAN, partial(time_mean, metric_name=SERVICE_TIME)),
        (EstimateKind.MEDIAN, partial(time_median, metric_name=SERVICE_TIME)),
    ),
    FIRST_CONTACT: ((EstimateKind.SHARE, first_contact_resolution),),
}


def _entries(metric_name: str) -> tuple[tuple[EstimateKind, Estimator], ...]:
    try:
        return SUMMARIES[metric_name]
    except KeyError:
        raise ValueError(f"unknown metric {metric_name!r}; expected one of {list(SUMMARIES)}") from None


def headline_kind(metric_name: str) -> EstimateKind:
    """Kind of the figure a summary shows for the metric (CSAT %, NPS, CES mean, mean time, FCR %)."""
    return _entries(metric_name)[0][0]


def headline(metric_name: str, values: Iterable[float]) -> Estimate:
    """The figure a summary shows for the metric."""
    return _entries(metric_name)[0][1](values)


def estimate(metric_name: str, kind: EstimateKind, values: Iterable[float]) -> Estimate:
    """One figure of a metric, e.g. estimate(CSAT, EstimateKind.MEAN, answers)."""
    for entry_kind, estimator in _entries(metric_name):
        if entry_kind is kind:
            return estimator(values)
    raise ValueError(f"metric {metric_name!r} has no {kind.value} figure")


def metric_summary(metric_name: str, values: Iterable[float]) -> dict[str, Estimate]:
    """Every figure of a metric keyed by kind ("share", "mean", ...), the headline first."""
    answers = list(values)
    return {kind.value: estimator(answers) for kind, estimator in _entries(metric_name)}
