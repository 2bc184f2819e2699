"""后台: the office's and the convener's one-time link to the desk (bot/web)."""

from __future__ import annotations

from handlers.core import Context, Incoming, Reply, Role, UserError, command
from storage import desk

NO_URL = "后台地址尚未配置（环境变量 LIAISON_PUBLIC_URL），请联系系统管理员。"
LINK = (
    "办公室后台登录链接（10 分钟内有效，只能使用一次，请勿转发）：\n{url}\n"
    "在电脑或手机浏览器中打开。过期后重新发送「后台」。"
)


@command("后台", roles={Role.OFFICE, Role.GENERAL_CONVENER, Role.CONVENER})
def desk_link(msg: Incoming, ctx: Context) -> Reply:
    """获取办公室后台的一次性登录链接（10 分钟内有效）。"""
    base = ctx.option("LIAISON_PUBLIC_URL", "").rstrip("/")
    if not base:
        raise UserError(NO_URL)
    token = desk.issue(ctx.session, ctx.sender.person.id, msg.channel, ctx.now)
    return Reply(text=LINK.format(url=f"{base}/desk/login/{token}"), private=True)
