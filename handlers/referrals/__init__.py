"""Hazard reports and complaint referrals (举报 → 受理 → 转办 → 签收 → 反馈 → 办结).

Importing this module registers the domain's commands, dialogue and job; the code is split by
topic: intake (referrals_intake), 查询 and its guard against guessing (referrals_query), the office's steps (referrals_office) and views
(referrals_views), the receiving unit (referrals_unit), working-day deadlines
(referrals_deadlines), early warning (referrals_warning) and the export (referrals_export).
All wording is in referrals_text. The guide for users is docs/referrals.md.
"""

from handlers import (  # noqa: F401  (imported to register their commands)
    referrals_deadlines,
    referrals_export,
    referrals_intake,
    referrals_office,
    referrals_query,
    referrals_unit,
    referrals_views,
    referrals_warning,
)
