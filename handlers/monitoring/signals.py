"""Early-warning signals (seed 附件1 四(三)): which series fired in which month, stored once and sent
once to the office and the convener.

`detect` is pure: records in, candidates out (tests and the benchmark call it without a database).
`raise_signals` stores the candidates not already stored and pushes each new one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from handlers.core import Context, Role
from handlers.monitoring import method as M
from handlers.monitoring import text as T
from storage import monitoring as st
from storage.referrals import ReferralWarning
from storage.roster import people_with_role

CLUSTER_DAYS = 90
CLUSTER_COUNT = 2
SEVERE = ("尘", "矽", "石棉", "放射", "射线", "电离辐射")  # 尘肺病 and 放射性疾病 hazards


@dataclass
class Candidate:
    rule: str
    key: str
    period: str
    subject: str
    reason: str
    figures: dict = field(default_factory=dict)


def is_severe(hazard: str) -> bool:
    return any(word in hazard for word in SEVERE)


def _day(record) -> date:
    """A record's day: its exam date, or the last day of its month."""
    if record.exam_date:
        return record.exam_date
    index = M.month_index(record.period) + 1
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


def _series(records) -> tuple[dict, dict, dict]:
    streets: dict = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    employers: dict = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    info: dict = {}
    for r in records:
        i = M.month_index(r.period)
        for cell in (streets[(r.street, r.hazard)][i], employers[r.employer_key][i]):
            cell[0] += r.examined
            cell[1] += r.abnormal
            cell[2] += r.suspected
        seen = info.setdefault(r.employer_key, {"name": r.employer, "street": r.street})
        seen.setdefault("hazards", defaultdict(set))[i].add(r.hazard)
    to_months = lambda d: {i: M.Month(*v) for i, v in d.items()}  # noqa: E731
    return (
        {k: to_months(v) for k, v in streets.items()},
        {k: to_months(v) for k, v in employers.items()},
        info,
    )


def detect(records, periods: list[str]) -> list[Candidate]:
    """Every signal the records raise in the given months (YYYY-MM), in a stable order."""
    streets, employers, info = _series(records)
    found: list[Candidate] = []
    for period in sorted(set(periods)):
        i = M.month_index(period)
        fired_streets: dict[tuple[str, str], Candidate] = {}
        for (street, hazard), series in sorted(streets.items()):
            subject = f"{street}·{hazard}"
            key = f"{street}|{hazard}"
            rate = M.judge_rate(series, i)
            if rate.fired:
                cand = Candidate("rate", key, period, subject, T.rate_reason(rate.figures),
                                 rate.figures)  # fmt: skip
                fired_streets[(street, hazard)] = cand
                found.append(cand)
            sus = M.judge_suspected(series, i)
            if sus.fired:
                reason = T.suspected_reason(sus.figures)
                found.append(Candidate("suspected", key, period, subject, reason, sus.figures))
        for key, series in sorted(employers.items()):
            verdict = M.judge_rate(series, i)
            if not verdict.fired:
                continue
            who = info[key]
            within = [fired_streets.get((who["street"], h)) for h in who["hazards"][i]]
            street_signal = next((c for c in within if c), None)
            if street_signal is not None:  # the same event seen from its 街道: one signal
                street_signal.figures.setdefault("employers", []).append(who["name"])
                continue
            subject = f"用人单位「{who['name']}」（{who['street']}）"
            reason = T.rate_reason(verdict.figures)
            found.append(Candidate("rate", f"employer|{key}", period, subject, reason,
                                   verdict.figures))  # fmt: skip
        for cand in fired_streets.values():
            cand.reason += T.merged(cand.figures.get("employers", []))
    found += _absolute(records, set(periods))
    return found


def _absolute(records, periods: set[str]) -> list[Candidate]:
    """Employer clusters of suspected cases and any suspected 尘肺/放射 case."""
    by_pair: dict[tuple[str, str], list] = defaultdict(list)
    severe: dict[tuple[str, str, str], list] = defaultdict(list)
    for r in records:
        if r.suspected <= 0:
            continue
        by_pair[(r.employer_key, r.hazard)].append(r)
        if is_severe(r.hazard) and r.period in periods:
            severe[(r.employer_key, r.hazard, r.period)].append(r)
    found: list[Candidate] = []
    for (key, hazard), rows in sorted(by_pair.items()):
        rows.sort(key=_day)
        for n, row in enumerate(rows):
            if row.period not in periods:
                continue
            window = [r for r in rows[: n + 1] if (_day(row) - _day(r)).days < CLUSTER_DAYS]
            count = sum(r.suspected for r in window)
            if count >= CLUSTER_COUNT:
                figures = {"suspected": count, "first": str(_day(window[0])),
                           "last": str(_day(row))}  # fmt: skip
                subject = f"用人单位「{row.employer}」（{row.street}）·{hazard}"
                found.append(Candidate("cluster", f"{key}|{hazard}", row.period, subject,
                                       T.cluster_reason(figures), figures))  # fmt: skip
                break
    for (key, hazard, period), rows in sorted(severe.items()):
        figures = {"suspected": sum(r.suspected for r in rows), "period": period}
        subject = f"用人单位「{rows[0].employer}」（{rows[0].street}）·{hazard}"
        found.append(Candidate("severe", f"{key}|{hazard}", period, subject,
                               T.severe_reason(figures), figures))  # fmt: skip
    return found


def recipients(ctx: Context) -> list:
    people = people_with_role(ctx.session, Role.OFFICE) + people_with_role(
        ctx.session, Role.CONVENER
    )
    return list({p.id: p for p in people}.values())


def _recent_cluster(existing: set[tuple[str, str, str]], cand: Candidate) -> bool:
    """A cluster already signalled in this or the 2 months before is the same cluster."""
    i = M.month_index(cand.period)
    return any((cand.rule, cand.key, M.period_of(j)) in existing for j in range(i - 2, i + 1))


def raise_signals(ctx: Context, candidates: list[Candidate]) -> list[st.Signal]:
    """Store the new candidates as signals (YJ…) and send each once; returns the new ones."""
    existing = st.signal_keys(ctx.session)
    new: list[st.Signal] = []
    people = recipients(ctx)
    for cand in candidates:
        if (cand.rule, cand.key, cand.period) in existing:
            continue
        if cand.rule == "cluster" and _recent_cluster(existing, cand):
            continue
        existing.add((cand.rule, cand.key, cand.period))
        row = st.new_signal(
            ctx.session,
            rule=cand.rule,
            match_key=cand.key[:250],
            period=cand.period,
            subject=cand.subject[:300],
            reason=cand.reason,
            figures=cand.figures,
            status=st.OPEN,
            created_at=ctx.now,
            outcome="",
        )
        text = T.signal_push(row.number, row.subject, row.rule, row.reason)
        ctx.push(people, text, key=f"monitoring:signal:{row.number}")
        new.append(row)
    return new


def mirror_complaints(ctx: Context) -> None:
    """Complaint clusters (referrals/warning.py, already pushed there) join the same list."""
    existing = st.signal_keys(ctx.session)
    for warning in ctx.session.query(ReferralWarning).order_by(ReferralWarning.id):
        key = f"referral:{warning.id}"
        period = M.period_of(M.month_index(f"{ctx.local(warning.created_at):%Y-%m}"))
        if ("complaint", key, period) in existing:
            continue
        st.new_signal(
            ctx.session,
            rule="complaint",
            match_key=key,
            period=period,
            subject=T.complaint_subject(warning.kind, warning.match_key)[:300],
            reason=f"举报 {warning.case_numbers}",
            figures={"cases": warning.case_numbers},
            status=st.OPEN,
            created_at=warning.created_at,
            outcome="",
        )
