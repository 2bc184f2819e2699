"""Early warning (seed 附件1 四(三) 监测预警机制): clusters of reports about one employer, or one
街道 and hazard type, within a short time.

When the reports in the last LIAISON_WARN_DAYS days (default 30) reach LIAISON_WARN_COUNT (default
3), the office is alerted once for that cluster: no second alert for the same employer (or 街道 and
hazard) until a window has passed since the last one. The deadline job re-checks recent cases, so
a cluster that two simultaneous reports completed is still caught.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import timedelta

from handlers.core import Context
from handlers.referrals.cases import office_people
from storage import referrals as st

SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司")


def without_suffix(name: str) -> str:
    """The employer's name without «有限公司» and the like."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def employer_key(name: str) -> str:
    """Normalise an employer's name: no spaces or punctuation, full-width folded, no 有限公司."""
    text = unicodedata.normalize("NFKC", name).lower()
    text = "".join(c for c in text if unicodedata.category(c)[0] not in "PSZC")
    return re.sub(r"\s+", "", without_suffix(text))


def _clusters(case: st.ReferralCase) -> list[tuple[str, str, str]]:
    """(kind, match key, label) of the clusters a case belongs to."""
    found = [("employer", case.employer_key, f"用人单位「{case.employer}」")]
    if case.street:  # one cluster per hazard type: «粉尘、噪声» counts for both
        found += [
            ("street", f"{case.street}|{hazard}", f"{case.street}的{hazard}问题")
            for hazard in case.hazard.split("、")
            if hazard
        ]
    return found


def _settings(ctx: Context) -> tuple[int, int]:
    """LIAISON_WARN_COUNT reports (at least 2) within LIAISON_WARN_DAYS days (at least 1)."""
    count = max(ctx.option_int("LIAISON_WARN_COUNT", 3), 2)
    return count, max(ctx.option_int("LIAISON_WARN_DAYS", 30), 1)


def _alert(ctx: Context, clusters: list[tuple[str, str, str]]) -> int:
    """Alert the office about each of the clusters that has reached the count in the window and
    was not alerted within it; returns how many alerts went out."""
    count, days = _settings(ctx)
    since = ctx.now - timedelta(days=days)
    members: dict[tuple[str, str], list[st.ReferralCase]] = {}
    for case in st.cases_since(ctx.session, since):
        for kind, key, _label in _clusters(case):
            members.setdefault((kind, key), []).append(case)
    alerts = 0
    for kind, key, label in clusters:
        found = members.get((kind, key), [])
        if len(found) < count:
            continue
        previous = st.last_warning(ctx.session, kind, key)
        if previous and previous.created_at > since:
            continue
        numbers = "、".join(c.number for c in found)
        ctx.session.add(
            st.ReferralWarning(kind=kind, match_key=key, created_at=ctx.now, case_numbers=numbers)
        )
        ctx.session.flush()
        text = (
            f"【预警】近{days}天内关于{label}的举报已达{len(found)}件（{numbers}），"
            "请研判是否组织联合检查或专项整治。"
        )
        digest = hashlib.sha256(f"{kind}|{key}|{numbers}".encode()).hexdigest()[:24]
        ctx.push(office_people(ctx), text, key=f"referrals:warn:{digest}")
        alerts += 1
    return alerts


def check_clusters(ctx: Context, case: st.ReferralCase) -> int:
    """Alert the office about each cluster this case completes; returns how many alerts."""
    return _alert(ctx, _clusters(case))


def recheck_recent(ctx: Context) -> None:
    """The job's safety net: every cluster of the window's cases, each looked at once."""
    _count, days = _settings(ctx)
    clusters: dict[tuple[str, str], tuple[str, str, str]] = {}
    for case in st.cases_since(ctx.session, ctx.now - timedelta(days=days)):
        for cluster in _clusters(case):
            clusters.setdefault(cluster[:2], cluster)
    _alert(ctx, list(clusters.values()))
