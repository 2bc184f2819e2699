"""综合考核评估 (seed 附件1 四(六)): the yearly assessment of the member units (docs/assessment.md)."""

from handlers.assessment import commands  # noqa: F401  (registers the commands)
