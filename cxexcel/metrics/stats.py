"""Distribution functions, the Wilson interval and the two-sample tests, in plain Python."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from statistics import NormalDist

_NORMAL = NormalDist()

# The continued fraction needs about sqrt(max(a, b)) terms; beyond this df the Student t
# is the normal distribution to better than 1e-7 and the normal is used instead.
_NORMAL_DF = 1e7
_MAX_TERMS = 20_000
_EPS = 1e-15
_TINY = 1e-300


@dataclass(frozen=True)
class DifferenceTest:
    """A test statistic (z or t), its two-sided p-value and, for t, the degrees of freedom."""

    statistic: float
    p_value: float
    df: float | None = None


def normal_ppf(q: float) -> float:
    """Quantile of the standard normal distribution."""
    return _NORMAL.inv_cdf(q)


def two_sided_p_normal(z: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    # erfc keeps precision in the far tail, where 1 - cdf would round to 0
    return math.erfc(abs(z) / math.sqrt(2.0))


def _beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_TERMS + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            return h
    raise ArithmeticError(f"incomplete beta did not converge for a={a}, b={b}, x={x}")


def _betainc(a: float, b: float, x: float, y: float) -> float:
    """I_x(a, b) with y = 1 - x passed separately so that neither loses precision."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y)
    front = math.exp(log_front)
    # the fraction converges fast only on this side of the mean; use the symmetry otherwise
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, y) / b


def regularized_incomplete_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b), the regularized incomplete beta function, for 0 <= x <= 1 and a, b > 0."""
    if not (a > 0.0 and b > 0.0):
        raise ValueError(f"a and b must be positive, got a={a}, b={b}")
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"x must be in [0, 1], got {x}")
    return _betainc(a, b, x, 1.0 - x)


def _check_df(df: float) -> None:
    if not df > 0.0:
        raise ValueError(f"degrees of freedom must be positive, got {df}")


def two_sided_p_t(t: float, df: float) -> float:
    """Two-sided p-value P(|T| >= |t|) of a Student t statistic with df degrees of freedom."""
    _check_df(df)
    if math.isnan(t):
        raise ValueError("t is NaN")
    if math.isinf(df) or df > _NORMAL_DF:
        return two_sided_p_normal(t)
    if math.isinf(t):
        return 0.0
    t2 = t * t
    # P(|T| >= t) = I_{df/(df+t^2)}(df/2, 1/2)
    return _betainc(df / 2.0, 0.5, df / (df + t2), t2 / (df + t2))


def t_cdf(t: float, df: float) -> float:
    """Cumulative distribution function of Student's t with df degrees of freedom."""
    tail = two_sided_p_t(t, df) / 2.0
    return 1.0 - tail if t >= 0 else tail


def t_pdf(t: float, df: float) -> float:
    """Density of Student's t with df degrees of freedom."""
    log_norm = math.lgamma((df + 1.0) / 2.0) - math.lgamma(df / 2.0) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1.0) / 2.0 * math.log1p(t * t / df))


@functools.lru_cache(maxsize=8192)
def t_ppf(q: float, df: float) -> float:
    """Quantile of Student's t with df degrees of freedom.

    Newton's method from the Cornish-Fisher start (a few t_cdf calls instead of dozens of
    bisection steps: a summary asks for thousands of intervals), bisection if Newton strays.
    """
    _check_df(df)
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must be in (0, 1), got {q}")
    if q == 0.5:
        return 0.0
    if q < 0.5:
        return -t_ppf(1.0 - q, df)
    z = normal_ppf(q)
    t = z + (z**3 + z) / (4.0 * df)
    for _ in range(50):
        density = t_pdf(t, df)
        if density <= 0.0 or not math.isfinite(t):
            break
        step = (t_cdf(t, df) - q) / density
        t -= step
        if t <= 0.0:
            break
        if abs(step) <= 1e-13 * max(1.0, abs(t)):
            return t
    return _t_ppf_bisection(q, df)


def _t_ppf_bisection(q: float, df: float) -> float:
    # the quantile is positive here: bracket it by doubling, then halve the bracket
    low, high = 0.0, 1.0
    while t_cdf(high, df) < q:
        low, high = high, high * 2.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if mid in (low, high):
            break
        if t_cdf(mid, df) < q:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion, as fractions in [0, 1].

    Raises ValueError when n < 1 or successes is not between 0 and n.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n={n}, got {successes}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    z = normal_ppf(0.5 + confidence / 2.0)
    z2 = z * z
    p = successes / n
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # exact bounds at the edges (the formula gives them up to rounding)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def two_proportion_z_test(x1: int, n1: int, x2: int, n2: int) -> DifferenceTest:
    """Pooled two-proportion z-test of x2/n2 against x1/n1 (statistic > 0 when p2 > p1).

    When both samples are all successes or all failures the proportions are equal and
    the result is z = 0, p = 1.
    """
    if n1 < 1 or n2 < 1:
        raise ValueError(f"both samples need at least one answer, got n1={n1}, n2={n2}")
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0.0:
        return DifferenceTest(0.0, 1.0)
    z = (x2 / n2 - x1 / n1) / se
    return DifferenceTest(z, two_sided_p_normal(z))


def nps_variance(promoters: int, detractors: int, n: int) -> float:
    """Variance of one answer's score (+1 promoter, 0 passive, -1 detractor)."""
    p_pro, p_det = promoters / n, detractors / n
    # clamp the rounding residue of p + q - (p - q)^2 when it is 0 in exact arithmetic
    return max(0.0, p_pro + p_det - (p_pro - p_det) ** 2)


def nps_z_test(
    promoters1: int, detractors1: int, n1: int, promoters2: int, detractors2: int, n2: int
) -> DifferenceTest:
    """z-test of the NPS difference, sample 2 - sample 1.

    The score variance is taken from both samples pooled, as in the pooled two-proportion
    test: it is the variance under "no difference", and it stays positive whenever the
    two scores differ (one side may be all promoters). Equal scores with zero variance
    give z = 0, p = 1.
    """
    if n1 < 1 or n2 < 1:
        raise ValueError(f"both samples need at least one answer, got n1={n1}, n2={n2}")
    difference = (promoters2 - detractors2) / n2 - (promoters1 - detractors1) / n1
    variance = nps_variance(promoters1 + promoters2, detractors1 + detractors2, n1 + n2)
    se = math.sqrt(variance * (1 / n1 + 1 / n2))
    if se == 0.0:
        return DifferenceTest(0.0, 1.0)
    z = difference / se
    return DifferenceTest(z, two_sided_p_normal(z))


def welch_t_test(
    mean1: float, var1: float, n1: int, mean2: float, var2: float, n2: int
) -> DifferenceTest | None:
    """Welch's t-test of mean2 - mean1 from the sample variances (ddof 1).

    Returns None when both variances are 0 and the means differ (the test is undefined);
    equal means with zero variance give t = 0, p = 1 and no df.
    """
    if n1 < 2 or n2 < 2:
        raise ValueError(f"both samples need at least two values, got n1={n1}, n2={n2}")
    a, b = var1 / n1, var2 / n2
    se2 = a + b
    difference = mean2 - mean1
    if se2 == 0.0:
        return DifferenceTest(0.0, 1.0) if difference == 0.0 else None
    denominator = a * a / (n1 - 1) + b * b / (n2 - 1)
    # Welch-Satterthwaite; the pooled df (its upper bound) if the squares underflow
    df = se2 * se2 / denominator if denominator > 0.0 else float(n1 + n2 - 2)
    t = difference / math.sqrt(se2)
    return DifferenceTest(t, two_sided_p_t(t, df), df)
