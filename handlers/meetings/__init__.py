"""Meetings and their minutes: calling (新建会议), changes (取消会议, 改期), invitations and answers (rsvp),
attendance, reminders and the minutes (minutes: drafting and co-signing; minutes_access: reading;
minutes_issue: sign-off and issue; minutes_docs: the .docx).

Importing this package registers the whole domain. Shared parts are in base; all wording is in
text and minutes_text. The guide for users is docs/meetings.md.
"""

# isort: off
from handlers.meetings import calling, changes, attendance, reminders, minutes  # noqa: F401
from handlers.meetings import minutes_access  # noqa: F401
# isort: on
