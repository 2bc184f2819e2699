"""督办与征求意见: decided items and their follow-up, comment rounds with the annex-3 form, joint
inspections and their 整改 items (docs/followup.md)."""

from handlers.followup import (  # noqa: F401  (registers commands, flows and jobs)
    bulletin,
    comments,
    comments_docx,
    comments_jobs,
    deadlines,
    extension,
    inspections,
    inspections_docs,
    intake,
    items,
    views,
)
