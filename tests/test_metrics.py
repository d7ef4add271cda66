"""Tests of cxexcel.metrics: hand-computed figures, edge cases, the t distribution, properties."""

from __future__ import annotations

import json
import math
from array import array
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxexcel.forms.catalog import (
    CES,
    CSAT,
    FIRST_CONTACT,
    METRIC_NAMES,
    NPS,
    SERVICE_TIME,
    SMALL_SAMPLE,
    WAIT_TIME,
)
from cxexcel.metrics import (
    SUMMARIES,
    EffectTest,
    Estimate,
    EstimateKind,
    Pool,
    ces,
    ces_share,
    csat,
    csat_mean,
    estimate,
    first_contact_resolution,
    headline,
    headline_kind,
    metric_summary,
    nps,
    nps_z_test,
    regularized_incomplete_beta,
    t_cdf,
    t_ppf,
    time_mean,
    time_median,
    time_stats,
    tool_effect,
    two_proportion_z_test,
    two_sided_p_normal,
    two_sided_p_t,
    valid_values,
    welch_t_test,
    wilson_interval,
)

Z95 = 1.959963984540054


# --- hand-computed figures -------------------------------------------------------------


def test_csat_share_and_mean() -> None:
    share = csat([5, 4, 3, 2, 1])
    assert share.kind is EstimateKind.SHARE
    assert share.n == 5
    assert share.value == 40.0
    low, high = wilson_interval(2, 5)
    assert (share.ci_low, share.ci_high) == pytest.approx((100 * low, 100 * high))
    assert share.small_sample
    mean = csat_mean([5, 4, 3, 2, 1])
    assert mean.value == 3.0
    # t(0.975, 4) = 2.776445, sd = sqrt(2.5)
    half = 2.7764451051977934 * math.sqrt(2.5) / math.sqrt(5)
    assert (mean.ci_low, mean.ci_high) == pytest.approx((3.0 - half, 3.0 + half))
    # t(0.975, 2) = 4.302653, sd = sqrt(1/3): 14/3 + 2.48 is past the scale, cut to 5
    clipped = csat_mean([5, 5, 4])
    assert clipped.ci_low == pytest.approx(14 / 3 - 4.302652729749462 * math.sqrt(1 / 3) / math.sqrt(3))
    assert clipped.ci_high == 5.0


def test_wilson_known_values() -> None:
    assert wilson_interval(8, 10) == pytest.approx((0.4902, 0.9433), abs=5e-5)
    # the upper end of 0/n is z^2 / (n + z^2)
    assert wilson_interval(0, 10) == pytest.approx((0.0, Z95**2 / (10 + Z95**2)))
    assert wilson_interval(10, 10) == pytest.approx((10 / (10 + Z95**2), 1.0))
    assert wilson_interval(1, 1)[1] == 1.0
    # wider at 99%
    low99, high99 = wilson_interval(8, 10, confidence=0.99)
    assert low99 < 0.4902 and high99 > 0.9433


@pytest.mark.parametrize(("successes", "n"), [(0, 0), (-1, 5), (6, 5)])
def test_wilson_rejects_impossible_counts(successes: int, n: int) -> None:
    with pytest.raises(ValueError):
        wilson_interval(successes, n)


def test_nps_known_values() -> None:
    score = nps([10, 9, 8, 7, 6, 0])  # 2 promoters, 2 passives, 2 detractors
    assert score.n == 6
    assert score.value == 0.0
    # var = (1/3 + 1/3 - 0) / 6, so the half-width is 100 * z / 3
    assert score.ci_low == pytest.approx(-100 * Z95 / 3)
    assert score.ci_high == pytest.approx(100 * Z95 / 3)
    assert nps([10, 10, 10, 5]).value == 50.0
    assert nps([0, 1, 2]).value == -100.0


def test_nps_interval_is_clipped() -> None:
    score = nps([10, 10, 10, 10, 9, 8])  # NPS 83.3, the normal interval passes 100
    assert score.value == pytest.approx(500 / 6)
    assert score.ci_high == 100.0
    assert score.ci_low is not None and score.ci_low < 500 / 6


def test_ces_mean_and_share() -> None:
    answers = [1, 2, 3, 4, 5, 6, 7]
    assert ces(answers).value == 4.0
    share = ces_share(answers)
    assert share.value == pytest.approx(300 / 7)
    assert share.n == 7


def test_first_contact_resolution() -> None:
    fcr = first_contact_resolution([1, 1, 0, 1])
    assert fcr.value == 75.0
    low, high = wilson_interval(3, 4)
    assert (fcr.ci_low, fcr.ci_high) == pytest.approx((100 * low, 100 * high))


def test_time_stats() -> None:
    stats = time_stats([1, 2, 3, 10])
    mean, median = stats["mean"], stats["median"]
    assert mean.value == 4.0
    # t(0.975, 3) = 3.182446, sd = sqrt(50/3): the lower end is cut to 0 minutes
    assert mean.ci_low == 0.0
    assert mean.ci_high == pytest.approx(4.0 + 3.1824463052837078 * math.sqrt(50 / 3) / 2)
    assert median.kind is EstimateKind.MEDIAN
    assert median.value == 2.5
    assert (median.ci_low, median.ci_high) == (None, None)
    assert time_stats([1.5, 2.5, 9.0], SERVICE_TIME)["median"].value == 2.5


def test_bounds_are_floats() -> None:
    # the catalog declares scales with ints: a clipped bound must still be a float
    for bound in (time_mean([1, 2, 3, 10]).ci_low, csat_mean([5, 4, 3, 2, 1]).ci_high):
        assert type(bound) is float


def test_off_scale_values_are_not_counted() -> None:
    assert csat([5, 6, 0, 4.5, float("nan"), 4]).n == 2
    assert nps([11, -1, 10, 9.5]).n == 1
    assert first_contact_resolution([1, 2, 0.5, 0]).n == 2
    assert time_mean([-1, float("inf"), 3.5]).value == 3.5
    assert valid_values(CES, [0, 1, 7, 8, 3.0]) == [1.0, 7.0, 3.0]
    with pytest.raises(ValueError):
        valid_values("Неизвестная метрика", [1])


# --- edge cases ----------------------------------------------------------------------


ESTIMATORS = [csat, csat_mean, nps, ces, ces_share, first_contact_resolution, time_mean, time_median]


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_empty_input_gives_no_value(estimator: Callable[[list[float]], Estimate]) -> None:
    result = estimator([])
    assert result == Estimate(result.kind, 0, None, None, None, True)
    assert json.loads(json.dumps(result.to_dict()))["value"] is None


def test_single_answer() -> None:
    assert csat([5]).value == 100.0
    assert csat([5]).ci_low == pytest.approx(100 * wilson_interval(1, 1)[0])
    one = csat_mean([4])
    assert (one.n, one.value, one.ci_low, one.ci_high, one.small_sample) == (1, 4.0, None, None, True)
    assert time_median([7.5]).value == 7.5
    assert nps([10]).value == 100.0


def test_all_same_answers() -> None:
    mean = ces([6] * 40)
    assert (mean.value, mean.ci_low, mean.ci_high) == (6.0, 6.0, 6.0)
    assert not mean.small_sample
    share = csat([5] * 40)
    assert share.value == 100.0 and share.ci_high == 100.0
    assert share.ci_low == pytest.approx(100 * 40 / (40 + Z95**2))
    score = nps([0] * 40)
    assert (score.value, score.ci_low, score.ci_high) == (-100.0, -100.0, -100.0)


def test_small_sample_threshold() -> None:
    assert csat([5] * (SMALL_SAMPLE - 1)).small_sample
    assert not csat([5] * SMALL_SAMPLE).small_sample


def test_to_dict_is_json() -> None:
    data = csat([5, 4, 1]).to_dict()
    assert data["kind"] == "share"
    assert set(data) == {"kind", "n", "value", "ci_low", "ci_high", "small_sample"}
    json.dumps(data, allow_nan=False)


# --- the summary table ---------------------------------------------------------------


def test_every_catalog_metric_has_a_summary() -> None:
    assert set(SUMMARIES) == set(METRIC_NAMES)
    for name, entries in SUMMARIES.items():
        kinds = [kind for kind, _ in entries]
        assert len(set(kinds)) == len(kinds), name
        summary = metric_summary(name, [1, 1, 0])
        assert list(summary) == [kind.value for kind in kinds]
        for key, figure in summary.items():
            assert figure.kind.value == key


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        (CSAT, EstimateKind.SHARE),
        (NPS, EstimateKind.NPS),
        (CES, EstimateKind.MEAN),
        (WAIT_TIME, EstimateKind.MEAN),
        (SERVICE_TIME, EstimateKind.MEAN),
        (FIRST_CONTACT, EstimateKind.SHARE),
    ],
)
def test_headlines(name: str, kind: EstimateKind) -> None:
    assert headline_kind(name) is kind
    assert next(iter(metric_summary(name, [1]))) == kind.value
    assert headline(name, [1, 0, 1]) == metric_summary(name, [1, 0, 1])[kind.value]


def test_summary_values() -> None:
    summary = metric_summary(CSAT, [5, 4, 3, 2, 1])
    assert summary["share"].value == 40.0
    assert summary["mean"].value == 3.0
    assert metric_summary(WAIT_TIME, (v for v in [1, 2, 3, 10]))["median"].value == 2.5
    assert estimate(CES, EstimateKind.SHARE, [5, 1]).value == 50.0


def test_unknown_metric_or_figure() -> None:
    with pytest.raises(ValueError):
        metric_summary("Неизвестная метрика", [1])
    with pytest.raises(ValueError):
        estimate(NPS, EstimateKind.MEAN, [1])


# --- the t distribution --------------------------------------------------------------


def test_t_known_values() -> None:
    assert two_sided_p_t(2.0, 10) == pytest.approx(0.07338803477074037, abs=1e-12)
    # critical values of the t tables: P(|T| >= t) = 0.05
    # (reference quantiles and p-values in this file from scipy 1.17, computed out of band)
    table = [
        (1, 12.706204736174694),
        (2, 4.302652729749462),
        (5, 2.5705818356363146),
        (10, 2.228138851986274),
        (30, 2.0422724563012378),
        (120, 1.9799304050824402),
    ]
    for df, critical in table:
        assert two_sided_p_t(critical, df) == pytest.approx(0.05, abs=1e-12)
        assert t_ppf(0.975, df) == pytest.approx(critical, rel=1e-10)
    # 0.01 two-sided
    assert two_sided_p_t(3.16927267261695, 10) == pytest.approx(0.01, abs=1e-12)


@pytest.mark.parametrize("t", [0.0, 0.1, 0.5, 1.0, 2.0, 5.0, 30.0, 1000.0])
def test_t_closed_forms(t: float) -> None:
    # df = 1 is the Cauchy distribution, df = 2 has an algebraic cdf
    assert two_sided_p_t(t, 1) == pytest.approx(1 - 2 / math.pi * math.atan(t), rel=1e-11, abs=1e-15)
    assert two_sided_p_t(t, 2) == pytest.approx(1 - t / math.sqrt(t * t + 2), rel=1e-11, abs=1e-15)
    assert t_cdf(-t, 1) == pytest.approx(0.5 - math.atan(t) / math.pi, rel=1e-11, abs=1e-15)


def _t_density(x: float, df: float) -> float:
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1) / 2 * math.log1p(x * x / df))


@pytest.mark.parametrize("df", [0.7, 1.5, 3, 7.3, 19, 60])
@pytest.mark.parametrize("t", [0.3, 1.2, 2.5, 4.0])
def test_t_against_integrated_density(t: float, df: float) -> None:
    # independent of the incomplete beta: Simpson's rule on the density over [0, t]
    steps = 2000
    h = t / steps
    total = _t_density(0, df) + _t_density(t, df)
    total += sum((4 if i % 2 else 2) * _t_density(i * h, df) for i in range(1, steps))
    assert two_sided_p_t(t, df) == pytest.approx(1 - 2 * total * h / 3, abs=1e-10)


@pytest.mark.parametrize("t", [0.5, 1.96, 3.0])
def test_t_tends_to_normal(t: float) -> None:
    assert two_sided_p_t(t, 1e6) == pytest.approx(two_sided_p_normal(t), abs=1e-5)
    assert two_sided_p_t(t, 1e9) == two_sided_p_normal(t)
    assert two_sided_p_t(t, math.inf) == two_sided_p_normal(t)


def test_t_edges() -> None:
    assert two_sided_p_t(0.0, 5) == 1.0
    assert two_sided_p_t(math.inf, 5) == 0.0
    assert t_cdf(0.0, 3) == 0.5
    assert t_ppf(0.5, 3) == 0.0
    for bad_df in (0, -1, math.nan):
        with pytest.raises(ValueError):
            two_sided_p_t(1.0, bad_df)
    with pytest.raises(ValueError):
        t_ppf(1.0, 3)


def test_incomplete_beta_known_values() -> None:
    # I_x(1, 1) = x; I_x(2, 3) = 6x^2 - 8x^3 + 3x^4
    assert regularized_incomplete_beta(0.3, 1, 1) == pytest.approx(0.3)
    x = 0.3
    assert regularized_incomplete_beta(x, 2, 3) == pytest.approx(6 * x**2 - 8 * x**3 + 3 * x**4, rel=1e-13)
    assert regularized_incomplete_beta(0.0, 2, 3) == 0.0
    assert regularized_incomplete_beta(1.0, 2, 3) == 1.0
    with pytest.raises(ValueError):
        regularized_incomplete_beta(1.5, 2, 3)


# --- tests of a difference -----------------------------------------------------------


def test_two_proportion_z() -> None:
    # 20/50 against 30/40: pooled p = 50/90 (reference values from scipy)
    result = two_proportion_z_test(20, 50, 30, 40)
    assert result.statistic == pytest.approx(3.320391543176798, rel=1e-12)
    assert result.p_value == pytest.approx(0.0008989127881140897, rel=1e-9)
    assert two_proportion_z_test(5, 5, 7, 7).p_value == 1.0


def test_welch_against_reference() -> None:
    # scipy.stats.ttest_ind([4, 5, 5, 3], [1, 2, 3, 4, 5], equal_var=False)
    result = welch_t_test(3.0, 2.5, 5, 4.25, 11 / 12, 4)
    assert result is not None
    assert result.statistic == pytest.approx(1.4638501094227998, rel=1e-12)
    assert result.df == pytest.approx(6.645569620253164, rel=1e-12)
    assert result.p_value == pytest.approx(0.18887004778078306, rel=1e-9)
    assert welch_t_test(3.0, 0.0, 2, 3.0, 0.0, 2) is not None
    assert welch_t_test(3.0, 0.0, 2, 4.0, 0.0, 2) is None


def test_nps_z() -> None:
    # all detractors against all promoters: pooled score variance 1, z = 2 / sqrt(2/5)
    result = nps_z_test(0, 5, 5, 5, 0, 5)
    assert result.statistic == pytest.approx(math.sqrt(10))
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(5)))
    assert nps_z_test(3, 0, 3, 4, 0, 4).p_value == 1.0


def test_tool_effect_share() -> None:
    effect = tool_effect(CSAT, [1, 2, 3, 4, 5] * 10, [4, 5, 5, 3] * 10)
    assert effect.kind is EstimateKind.SHARE
    assert effect.test is EffectTest.TWO_PROPORTION_Z
    assert (effect.before.value, effect.after.value, effect.difference) == (40.0, 75.0, 35.0)
    assert effect.p_value == pytest.approx(two_proportion_z_test(20, 50, 30, 40).p_value)
    assert effect.significant
    data = effect.to_dict()
    assert data["significant"] is True and data["test"] == "two-proportion z"
    json.dumps(data, allow_nan=False)


def test_tool_effect_means() -> None:
    effect = tool_effect(CSAT, [1, 2, 3, 4, 5], [4, 5, 5, 3], EstimateKind.MEAN)
    assert effect.test is EffectTest.WELCH_T
    assert effect.difference == 1.25
    assert effect.p_value == pytest.approx(0.18887004778078306, rel=1e-9)
    assert effect.df == pytest.approx(6.645569620253164)
    assert not effect.significant
    times = tool_effect(WAIT_TIME, [30, 25, 40, 35, 28], [10, 12, 8, 15, 11])
    assert times.kind is EstimateKind.MEAN and times.difference == pytest.approx(-20.4)
    assert times.significant


def test_tool_effect_nps_and_fcr() -> None:
    effect = tool_effect(NPS, [0] * 5, [10] * 5)
    assert effect.test is EffectTest.NPS_Z and effect.difference == 200.0
    assert effect.p_value == pytest.approx(math.erfc(math.sqrt(5)))
    fcr = tool_effect(FIRST_CONTACT, [0, 1] * 20, [1] * 40)
    assert fcr.difference == 50.0 and fcr.significant


def test_tool_effect_too_few_answers() -> None:
    one = tool_effect(CES, [5], [6, 7, 7])
    assert one.difference == pytest.approx(5 / 3)
    assert (one.statistic, one.df, one.p_value, one.significant) == (None, None, None, False)
    empty = tool_effect(NPS, [], [10, 9])
    assert empty.difference is None and empty.p_value is None
    assert empty.before.value is None
    # constant samples with different means: Welch's test is undefined
    assert tool_effect(CES, [3, 3], [5, 5]).p_value is None
    assert tool_effect(CES, [3, 3], [3, 3]).p_value == 1.0
    # off-scale answers do not count towards the two needed
    assert tool_effect(CSAT, [5, 9], [4, 5]).p_value is None


def test_tool_effect_rejects_medians_and_unknown_metrics() -> None:
    with pytest.raises(ValueError):
        tool_effect(WAIT_TIME, [1, 2], [3, 4], EstimateKind.MEDIAN)
    with pytest.raises(ValueError):
        tool_effect("Неизвестная метрика", [1, 2], [3, 4])


# --- properties ----------------------------------------------------------------------

CSAT_ANSWERS = st.lists(st.integers(1, 5), max_size=80)
CES_ANSWERS = st.lists(st.integers(1, 7), max_size=80)
NPS_ANSWERS = st.lists(st.integers(0, 10), max_size=80)
TIMES = st.lists(st.floats(0, 1e5, allow_nan=False), max_size=60)


def _contains(figure: Estimate, low: float, high: float) -> None:
    if figure.n == 0:
        assert figure.value is None
        return
    assert figure.value is not None
    assert low <= figure.value <= high
    if figure.ci_low is not None and figure.ci_high is not None:
        assert low <= figure.ci_low <= figure.value <= figure.ci_high <= high


@given(
    st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))), st.floats(0.5, 0.999)
)
def test_wilson_contains_the_proportion(counts: tuple[int, int], confidence: float) -> None:
    successes, n = counts
    low, high = wilson_interval(successes, n, confidence)
    assert 0.0 <= low <= successes / n <= high <= 1.0


@given(CSAT_ANSWERS)
def test_csat_properties(answers: list[int]) -> None:
    _contains(csat(answers), 0.0, 100.0)
    _contains(csat_mean(answers), 1.0, 5.0)
    assert csat(answers).n == len(answers)


@given(CES_ANSWERS)
def test_ces_properties(answers: list[int]) -> None:
    _contains(ces(answers), 1.0, 7.0)
    _contains(ces_share(answers), 0.0, 100.0)


@given(NPS_ANSWERS)
def test_nps_properties(answers: list[int]) -> None:
    score = nps(answers)
    _contains(score, -100.0, 100.0)
    assert score.small_sample == (len(answers) < SMALL_SAMPLE)


@given(st.lists(st.integers(0, 1), max_size=80))
def test_fcr_properties(answers: list[int]) -> None:
    _contains(first_contact_resolution(answers), 0.0, 100.0)


@given(TIMES)
def test_time_properties(minutes: list[float]) -> None:
    stats = time_stats(minutes)
    _contains(stats["mean"], 0.0, math.inf)
    _contains(stats["median"], 0.0, math.inf)
    json.dumps({key: figure.to_dict() for key, figure in stats.items()}, allow_nan=False)


@given(st.floats(-50, 50, allow_nan=False), st.floats(0.2, 500))
def test_t_cdf_properties(t: float, df: float) -> None:
    value = t_cdf(t, df)
    assert 0.0 <= value <= 1.0
    assert t_cdf(-t, df) == pytest.approx(1.0 - value, abs=1e-12)
    assert t_cdf(t + 0.5, df) >= value


@given(st.floats(0.001, 0.999), st.floats(0.5, 1000))
def test_t_ppf_inverts_the_cdf(q: float, df: float) -> None:
    assert t_cdf(t_ppf(q, df), df) == pytest.approx(q, abs=1e-10)


@given(st.floats(0, 1), st.floats(0.1, 50), st.floats(0.1, 50))
def test_incomplete_beta_symmetry(x: float, a: float, b: float) -> None:
    # I_x(a, b) = 1 - I_y(b, a) for x + y = 1; this x and y sum to 1 exactly
    y = 1.0 - x
    x = 1.0 - y
    value = regularized_incomplete_beta(x, a, b)
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(1.0 - regularized_incomplete_beta(y, b, a), abs=1e-12)


@given(st.sampled_from([CSAT, NPS, CES, FIRST_CONTACT]), NPS_ANSWERS, NPS_ANSWERS)
def test_tool_effect_properties(name: str, before: list[int], after: list[int]) -> None:
    effect = tool_effect(name, before, after)
    reverse = tool_effect(name, after, before)
    if effect.p_value is None:
        assert reverse.p_value is None
    else:
        assert 0.0 <= effect.p_value <= 1.0
        assert reverse.p_value == pytest.approx(effect.p_value, abs=1e-12)
    if effect.difference is not None:
        assert reverse.difference == pytest.approx(-effect.difference)
    json.dumps(effect.to_dict(), allow_nan=False)


@given(TIMES, TIMES)
def test_welch_effect_properties(before: list[float], after: list[float]) -> None:
    effect = tool_effect(SERVICE_TIME, before, after)
    if effect.p_value is not None:
        assert 0.0 <= effect.p_value <= 1.0
    json.dumps(effect.to_dict(), allow_nan=False)


# --- pooled answers (metrics.pooled) ------------------------------------------------------

# answers as a summary may hold them: on the scale, off it, fractions, -0.0, NaN, infinities
ODD_ANSWERS = st.lists(
    st.one_of(st.integers(-2, 12).map(float), st.sampled_from([-0.0, 0.5, 4.5, math.nan, math.inf, -math.inf]),
              st.floats(0, 200, allow_nan=False).map(lambda x: round(x, 1))),
    max_size=60,
)


def _identical(one: Estimate, other: Estimate) -> bool:
    """Equal to the last bit: the same kind and n, and every float the same (the sign of a zero too)."""
    if (one.kind, one.n, one.small_sample) != (other.kind, other.n, other.small_sample):
        return False
    for a, b in ((one.value, other.value), (one.ci_low, other.ci_low), (one.ci_high, other.ci_high)):
        if (a is None) != (b is None):
            return False
        if a is not None and b is not None and (a != b or math.copysign(1.0, a) != math.copysign(1.0, b)):
            return False
    return True


@given(st.sampled_from(METRIC_NAMES), st.lists(ODD_ANSWERS, max_size=4), st.booleans())
def test_pool_gives_the_figures_of_the_listed_answers(name: str, parts: list[list[float]], arrays: bool) -> None:
    pool = Pool(name, [array("d", part) if arrays else part for part in parts])
    answers = [v for part in parts for v in part]
    assert len(pool) == len(answers)
    for kind, _ in SUMMARIES[name]:
        try:
            expected = estimate(name, kind, answers)
        except (OverflowError, ValueError) as error:
            with pytest.raises(type(error)):
                pool.estimate(kind)
            continue
        assert _identical(pool.estimate(kind), expected), (kind, pool.estimate(kind), expected)
    if answers:
        assert _identical(pool.headline(), headline(name, answers))


def test_pool_counts_each_answer_and_keeps_the_sign_of_zero() -> None:
    # thousands of answers of few values: counted once, the same figures as the list
    answers = [float(1 + (i * 7) % 5) for i in range(5000)]
    pool = Pool(CSAT, [array("d", answers[:1234]), array("d", answers[1234:])])
    assert pool.estimate(EstimateKind.MEAN) == csat_mean(answers)
    assert pool.estimate(EstimateKind.SHARE) == csat(answers)
    # a -0.0 among the answers is not merged with 0.0 by counting
    zeros = [-0.0, -0.0, 0.0]
    assert math.copysign(1.0, Pool(WAIT_TIME, [zeros]).estimate(EstimateKind.MEDIAN).value or 1.0) == \
        math.copysign(1.0, time_median(zeros).value or 1.0)
    assert Pool(FIRST_CONTACT, [[-0.0, 1.0, 0.0]]).headline() == first_contact_resolution([-0.0, 1.0, 0.0])


def test_pool_refuses_what_estimate_refuses() -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        Pool("Неизвестная метрика", [])
    with pytest.raises(ValueError, match="has no"):
        Pool(CSAT, [[5.0]]).estimate(EstimateKind.MEDIAN)
