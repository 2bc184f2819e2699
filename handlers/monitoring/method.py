"""The early-warning statistics (docs/monitoring.md): pure functions, no database, deterministic.

A series is one 街道/镇 × 危害因素 (or one employer) month by month: examined, abnormal, suspected.
The month's abnormal rate is compared with the series' own history by an EARS-C2 style rule (US CDC
EARS; `surveillance::earsC`): the baseline is the pooled rate of up to 12 earlier months, leaving a
1-month guard band; the threshold is baseline + k·σ, where σ is the largest of the spread of the
baseline months' rates, the binomial spread at this month's size and a floor. Small counts are
skewed, so (as the RKI rule falls back to a Poisson limit for small counts) the month's abnormal
count must also be improbable under the baseline rate (at its one-sided 95 % upper limit): exact
binomial upper tail < 0.0001. Suspected cases of a
街道 × 危害因素 are compared with their baseline by a Poisson upper tail. The absolute rules (any
employer with ≥ 2 suspected cases of one hazard within 90 days; any suspected 尘肺 / 放射 case) need
no history and live in signals.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

BASELINE_MONTHS = 12  # reference months before the guard band
GUARD_MONTHS = 1  # C2: the month just before is left out, so a slow rise is not its own baseline
MIN_BASELINE_MONTHS = 6  # months with examinations needed before a rate can be judged
MIN_BASELINE_EXAMINED = 30
K = 3.0  # threshold = baseline + K·σ
SIGMA_FLOOR = 0.02  # 2 percentage points: a flat history does not make every rise an alarm
MIN_ABNORMAL = 5  # fewer abnormal results than this never raise a rate signal
MIN_RATIO = 1.5  # and the rate must be at least 1.5 × the baseline
MIN_EXAMINED = 20
RATE_ALPHA = 0.0001  # and the count must be improbable under the baseline rate (exact binomial)
BASELINE_Z = 1.645  # … taken at its one-sided 95 % upper limit (Wilson)
SUSPECTED_ALPHA = 0.001  # Poisson upper tail for a 街道 × 危害因素's suspected cases
MIN_SUSPECTED = 3


@dataclass(frozen=True)
class Month:
    examined: int = 0
    abnormal: int = 0
    suspected: int = 0


@dataclass(frozen=True)
class Verdict:
    fired: bool
    rule: str = ""  # rate / suspected
    figures: dict = field(default_factory=dict)


def month_index(period: str) -> int:
    year, month = period.split("-")
    return int(year) * 12 + int(month) - 1


def period_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def reference(series: dict[int, Month], index: int) -> list[Month]:
    """The baseline months: the 12 before the guard band, those with examinations."""
    last = index - GUARD_MONTHS - 1
    months = [series.get(i) for i in range(last - BASELINE_MONTHS + 1, last + 1)]
    return [m for m in months if m is not None and m.examined > 0]


def _sd(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def percentile(values: list[float], share: float) -> float:
    """Linear-interpolated percentile (share 0..1), as CIDARS reports show it."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = share * (len(ordered) - 1)
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def judge_rate(series: dict[int, Month], index: int) -> Verdict:
    """Is this month's abnormal rate above its history's threshold?"""
    now = series.get(index)
    if now is None or now.examined < MIN_EXAMINED or now.abnormal < MIN_ABNORMAL:
        return Verdict(False)
    ref = reference(series, index)
    total = sum(m.examined for m in ref)
    if len(ref) < MIN_BASELINE_MONTHS or total < MIN_BASELINE_EXAMINED:
        return Verdict(False)
    base = sum(m.abnormal for m in ref) / total
    rates = [m.abnormal / m.examined for m in ref]
    sigma = max(_sd(rates), math.sqrt(base * (1 - base) / now.examined), SIGMA_FLOOR)
    threshold = base + K * sigma
    rate = now.abnormal / now.examined
    tail = binomial_tail(now.abnormal, now.examined, wilson_upper(base, total))
    fired = rate > threshold and rate >= MIN_RATIO * base and tail < RATE_ALPHA
    figures = {
        "examined": now.examined,
        "abnormal": now.abnormal,
        "rate": round(rate, 4),
        "baseline": round(base, 4),
        "sigma": round(sigma, 4),
        "threshold": round(threshold, 4),
        "p80": round(percentile(rates, 0.8), 4),
        "p": float(f"{tail:.3g}"),
        "months": len(ref),
        "from": period_of(index - GUARD_MONTHS - BASELINE_MONTHS),
        "to": period_of(index - GUARD_MONTHS - 1),
    }
    return Verdict(fired, "rate", figures)


def wilson_upper(rate: float, n: int, z: float = BASELINE_Z) -> float:
    """One-sided upper confidence limit of a rate (Wilson score), so that a baseline estimated
    low by chance from a few hundred examinations does not make ordinary months look improbable."""
    centre = rate + z * z / (2 * n)
    spread = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n))
    return min((centre + spread) / (1 + z * z / n), 1.0)


def binomial_tail(count: int, n: int, p: float) -> float:
    """P(X ≥ count) for X ~ Binomial(n, p), summed in log space (exact, no approximation)."""
    if count <= 0:
        return 1.0
    if p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    total = 0.0
    for k in range(count, n + 1):
        log_c = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
        total += math.exp(log_c + k * log_p + (n - k) * log_q)
    return min(total, 1.0)


def poisson_tail(count: int, mean: float) -> float:
    """P(X ≥ count) for X ~ Poisson(mean)."""
    if count <= 0:
        return 1.0
    term = math.exp(-mean)
    below = term
    for k in range(1, count):
        term *= mean / k
        below += term
    return max(0.0, 1.0 - below)


def judge_suspected(series: dict[int, Month], index: int) -> Verdict:
    """Are this month's suspected cases more than the history makes plausible?"""
    now = series.get(index)
    if now is None or now.suspected < MIN_SUSPECTED:
        return Verdict(False)
    ref = reference(series, index)
    total = sum(m.examined for m in ref)
    if len(ref) < MIN_BASELINE_MONTHS or total < MIN_BASELINE_EXAMINED:
        return Verdict(False)
    per_exam = sum(m.suspected for m in ref) / total
    expected = max(per_exam * now.examined, 0.1)  # an empty history still expects a little
    tail = poisson_tail(now.suspected, expected)
    figures = {
        "examined": now.examined,
        "suspected": now.suspected,
        "expected": round(expected, 2),
        "p": round(tail, 6),
        "months": len(ref),
        "from": period_of(index - GUARD_MONTHS - BASELINE_MONTHS),
        "to": period_of(index - GUARD_MONTHS - 1),
    }
    return Verdict(tail < SUSPECTED_ALPHA, "suspected", figures)
