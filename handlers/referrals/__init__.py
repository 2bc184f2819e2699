"""Hazard reports and complaint referrals (举报 → 受理 → 转办 → 签收 → 反馈 → 办结).

Importing this package registers the domain's commands, dialogue and job; the code is split by
topic: intake, 查询 and its guard against guessing (query), the office's steps (office) and views
(views), the receiving unit (unit), working-day deadlines (deadlines), early warning (warning)
and the export (export); cases holds what they share. All wording is in text. The guide for
users is docs/referrals.md.
"""

# isort: off
from handlers.referrals import (  # noqa: F401  (imported to register their commands)
    deadlines,
    export,
    intake,
    office,
    query,
    unit,
    views,
    warning,
)
# isort: on
