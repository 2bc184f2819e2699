"""An account means someone only on its own platform (issue 10): a DingTalk id that equals a
WeCom account is not that person, and an Official Account follower is never on the roster."""

from __future__ import annotations

from bot import dispatch
from handlers.core import Incoming


def test_an_account_is_looked_up_on_its_own_platform_only(bot):
    office = "demo-office"  # the demo office's WeCom account

    def who(channel: str) -> str:
        msg = Incoming(channel=channel, user_id=office, text="我是谁")
        return dispatch.handle(bot.services, msg)[0].text

    assert "不在联席会议名单中" not in who("wecom")
    assert "不在联席会议名单中" in who("dingtalk")  # nobody has this DingTalk id
    assert "不在联席会议名单中" in who("wechat_mp")
    assert "不在联席会议名单中" not in who("console")
