"""Monthly reports and the quarterly bulletin (seed annex 1 四(二) 信息通报机制).

Importing this package registers the domain's commands, dialogue and jobs, in the order 帮助 shows
them: reminders (催报, the reminder jobs), views (报送情况, 汇总, 考核表), filing (月报 and its
dialogue) and bulletins (简报). Shared parts: args, calendar (report periods, quarters, due dates),
status, chart, xlsx, bulletin_docx; all wording is in text. The guide for users is docs/reports.md.
"""

# isort: off
from handlers.reports import reminders, views, filing, bulletins  # noqa: F401
# isort: on
