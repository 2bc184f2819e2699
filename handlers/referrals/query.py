"""查询: the reporter reads a case's progress with its number and query code, and nobody can guess.

Wrong attempts are counted per sender (a keyed hash, never the account) and per number as typed,
so a number that does not exist behaves exactly like one that does. Past LIAISON_QUERY_LIMIT wrong
attempts in an hour (default 5) on either count, the answer is a cool-down that names the time to
try again, and nothing is checked meanwhile, so it cannot tell a right code from a wrong one. When
attempts on one existing case reach LIAISON_QUERY_ALERT in an hour (default 10), the office is told
once that day.
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from datetime import datetime, timedelta

from handlers import dates
from handlers.core import Context, Incoming, Reply, UserError, command, command_args
from handlers.referrals import text as tx
from handlers.referrals.cases import office_people
from handlers.referrals.intake import query_hash
from storage import guards
from storage import referrals as st

WINDOW = timedelta(hours=1)
_QUERY_SPLIT = re.compile(r"[\s\u3000,，、;；:：]+")


def _limits(ctx: Context) -> tuple[int, int]:
    """Wrong attempts allowed per hour (at least 1), and the burst that alerts the office."""
    limit = max(ctx.option_int("LIAISON_QUERY_LIMIT", 5), 1)
    return limit, max(ctx.option_int("LIAISON_QUERY_ALERT", 10), limit + 1)


def _free_at(times: list[datetime], limit: int) -> datetime | None:
    """When fewer than `limit` of these attempts will lie within the window; None if already."""
    if len(times) < limit:
        return None
    return times[len(times) - limit] + WINDOW


def _until(ctx: Context, moment: datetime) -> str:
    """The next whole minute after `moment`, local: «15:07», or «11月24日 09:02» on another day."""
    local = ctx.local(moment)
    if local.second or local.microsecond:
        local = (local + timedelta(minutes=1)).replace(second=0, microsecond=0)
    if local.date() == ctx.local().date():
        return dates.clock(local)
    return dates.moment(local, ctx.local())


def _alert_burst(ctx: Context, number: str, alert_at: int) -> None:
    """Tell the office, once a day per case, that its code is being guessed."""
    count = guards.attempts_on(ctx.session, number, ctx.now - WINDOW)
    if count < alert_at or st.case_by_number(ctx.session, number) is None:
        return
    key = f"referrals:guess:{number}:{ctx.local():%Y%m%d}"
    ctx.push(office_people(ctx), tx.guess_alert(number, count), key=key)


@command("查询", usage="查询 编号 查询码")
def query_case(msg: Incoming, ctx: Context) -> Reply:
    """举报人凭编号和查询码查看办理进度。"""
    words = [w for w in _QUERY_SPLIT.split(command_args(msg)) if w]
    if len(words) != 2:
        raise UserError(tx.QUERY_USAGE)
    number = unicodedata.normalize("NFKC", words[0]).upper()[:20]
    limit, alert_at = _limits(ctx)
    since = ctx.now - WINDOW
    sender = guards.attempt_sender(ctx.seal_key, msg.channel, msg.user_id)
    guards.forget_before(ctx.session, ctx.now - 2 * WINDOW)
    blocked = [
        _free_at(guards.wrong_times(ctx.session, since, sender=sender), limit),
        _free_at(guards.wrong_times(ctx.session, since, number=number), limit),
    ]
    until = max((b for b in blocked if b is not None), default=None)
    if until is not None:  # a cool-down: the code is not even looked at
        guards.record_attempt(ctx.session, ctx.now, sender, number, blocked=True)
        _alert_burst(ctx, number, alert_at)
        return Reply(text=tx.query_cooldown(_until(ctx, until), limit))
    case = st.case_by_number(ctx.session, number)
    if case is None or not hmac.compare_digest(
        case.query_hash, query_hash(ctx, case.number, words[1])
    ):  # recorded, not raised: a UserError would roll the record back
        guards.record_attempt(ctx.session, ctx.now, sender, number)
        _alert_burst(ctx, number, alert_at)
        return Reply(text=tx.QUERY_NOT_FOUND)
    filed_on = tx.day(ctx.local(case.created_at).date(), ctx.today())
    return Reply(
        text=tx.query_answer(case, filed_on, tx.day(case.answer_due, ctx.today())), private=True
    )
