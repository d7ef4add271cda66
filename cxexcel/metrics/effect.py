"""A tool's effect (item 2.1.12): its metric before and after launch, with a test of the difference."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cxexcel.metrics.estimates import (
    Estimate,
    EstimateKind,
    estimate,
    headline_kind,
    nps_counts,
    sample_variance,
    valid_values,
)
from cxexcel.metrics.stats import DifferenceTest, nps_z_test, two_proportion_z_test, welch_t_test

SIGNIFICANCE_LEVEL = 0.05


class EffectTest(StrEnum):
    """The test of a difference, chosen by the kind of the compared figure."""

    TWO_PROPORTION_Z = "two-proportion z"
    NPS_Z = "NPS z"
    WELCH_T = "Welch t"


_TESTS = {
    EstimateKind.SHARE: EffectTest.TWO_PROPORTION_Z,
    EstimateKind.NPS: EffectTest.NPS_Z,
    EstimateKind.MEAN: EffectTest.WELCH_T,
}


@dataclass(frozen=True)
class Effect:
    """Before and after figures, their difference (after - before) and a two-sided test.

    The difference is in the figure's unit: percentage points for shares, NPS points, the
    metric's scale for means. statistic, df and p_value are None when the test cannot be
    computed: fewer than 2 answers on a side, or two constant samples of different means.
    """

    metric: str
    kind: EstimateKind
    before: Estimate
    after: Estimate
    difference: float | None
    test: EffectTest
    statistic: float | None
    df: float | None
    p_value: float | None

    @property
    def significant(self) -> bool:
        """The difference is significant at SIGNIFICANCE_LEVEL (two-sided)."""
        return self.p_value is not None and self.p_value < SIGNIFICANCE_LEVEL

    @property
    def small_sample(self) -> bool:
        """Either side rests on fewer than SMALL_SAMPLE answers («мало данных»): the effect is not confirmed,
        whatever the test says (FORMS.md §5)."""
        return self.before.small_sample or self.after.small_sample

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict, including `significant` and `small_sample`."""
        return {
            "metric": self.metric,
            "kind": self.kind.value,
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "difference": self.difference,
            "test": self.test.value,
            "statistic": self.statistic,
            "df": self.df,
            "p_value": self.p_value,
            "significant": self.significant,
            "small_sample": self.small_sample,
        }


def _successes(share: Estimate) -> int:
    # value is 100 * successes / n, so this recovers the count exactly
    assert share.value is not None
    return round(share.value * share.n / 100.0)


def _test(
    metric_name: str,
    kind: EstimateKind,
    before: Estimate,
    after: Estimate,
    before_values: list[float],
    after_values: list[float],
) -> DifferenceTest | None:
    if kind is EstimateKind.SHARE:
        return two_proportion_z_test(_successes(before), before.n, _successes(after), after.n)
    if kind is EstimateKind.NPS:
        return nps_z_test(*nps_counts(before_values), *nps_counts(after_values))
    first = valid_values(metric_name, before_values)
    second = valid_values(metric_name, after_values)
    mean_first = math.fsum(first) / len(first)
    mean_second = math.fsum(second) / len(second)
    return welch_t_test(
        mean_first, sample_variance(first, mean_first), len(first),
        mean_second, sample_variance(second, mean_second), len(second),
    )


def tool_effect(
    metric_name: str,
    before_values: Iterable[float],
    after_values: Iterable[float],
    kind: EstimateKind | None = None,
) -> Effect:
    """Compare a metric's raw answers at a touchpoint before and after a tool's launch.

    kind picks the figure (default: the metric's headline, e.g. CSAT %); the test follows
    it: a pooled two-proportion z-test for shares, a z-test for NPS, Welch's t-test for
    means. Medians have no test (ValueError), nor do unknown metrics.
    """
    kind = headline_kind(metric_name) if kind is None else kind
    if kind not in _TESTS:
        raise ValueError(f"no test of a difference for a {kind.value}")
    first, second = list(before_values), list(after_values)
    before = estimate(metric_name, kind, first)
    after = estimate(metric_name, kind, second)
    difference = None
    result = None
    if before.value is not None and after.value is not None:
        difference = after.value - before.value
        if before.n >= 2 and after.n >= 2:
            result = _test(metric_name, kind, before, after, first, second)
    return Effect(
        metric=metric_name,
        kind=kind,
        before=before,
        after=after,
        difference=difference,
        test=_TESTS[kind],
        statistic=None if result is None else result.statistic,
        df=None if result is None else result.df,
        p_value=None if result is None else result.p_value,
    )
