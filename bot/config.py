"""Settings read once from the environment (and `.env`), validated at start-up.

A bad value stops start-up with one line naming the variable, so an operator never has to read a
stack trace to find a typo in a deployment file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ORG_NAME = "二七区职业病防治工作联席会议"
DEFAULT_WECOM_API_BASE = "https://qyapi.weixin.qq.com/cgi-bin/"
DEFAULT_DINGTALK_OAPI_BASE = "https://oapi.dingtalk.com/"
DEFAULT_DINGTALK_OPENAPI_BASE = "https://api.dingtalk.com/"
DEFAULT_WECHAT_API_BASE = "https://api.weixin.qq.com/cgi-bin/"
_AES_KEY_RE = re.compile(r"^[A-Za-z0-9]{43}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable, in Chinese."""


@dataclass(frozen=True)
class WeComSettings:
    corp_id: str
    agent_id: int
    secret: str
    token: str
    aes_key: str
    api_base: str = DEFAULT_WECOM_API_BASE


@dataclass(frozen=True)
class DingTalkSettings:
    """An enterprise-internal DingTalk app with a robot (open.dingtalk.com/document/orgapp)."""

    app_key: str
    app_secret: str
    robot_code: str
    agent_id: int
    oapi_base: str = DEFAULT_DINGTALK_OAPI_BASE  # gettoken, asyncsend_v2, media/upload
    openapi_base: str = DEFAULT_DINGTALK_OPENAPI_BASE  # robot OpenAPI, Stream gateway


@dataclass(frozen=True)
class WeChatSettings:
    """A WeChat Official Account (公众号); `aes_key` is empty in plaintext mode."""

    app_id: str
    app_secret: str
    token: str
    aes_key: str = ""
    api_base: str = DEFAULT_WECHAT_API_BASE


@dataclass(frozen=True)
class Settings:
    database_url: str
    timezone: ZoneInfo
    org_name: str = DEFAULT_ORG_NAME
    instance_path: Path = field(default_factory=lambda: Path("instance"))
    wecom: WeComSettings | None = None
    dingtalk: DingTalkSettings | None = None
    wechat: WeChatSettings | None = None
    seal_key: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def files_path(self) -> Path:
        return self.instance_path / "files"


def _wecom_from(env: Mapping[str, str]) -> WeComSettings | None:
    names = ["WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY"]
    present = [n for n in names if env.get(n)]
    if not present:
        return None
    missing = [n for n in names if not env.get(n)]
    if missing:
        raise ConfigError(f"缺少环境变量 {missing[0]}：企业微信的 WECOM_* 设置须全部提供或全部不设")
    aes_key = env["WECOM_AES_KEY"].strip()
    if not _AES_KEY_RE.match(aes_key):
        raise ConfigError("环境变量 WECOM_AES_KEY 格式错误：应为 43 位字母或数字（EncodingAESKey）")
    try:
        agent_id = int(env["WECOM_AGENT_ID"])
    except ValueError:
        raise ConfigError("环境变量 WECOM_AGENT_ID 格式错误：应为整数（应用 AgentId）") from None
    api_base = env.get("WECOM_API_BASE") or DEFAULT_WECOM_API_BASE
    if not re.match(r"^https?://", api_base):
        raise ConfigError("环境变量 WECOM_API_BASE 格式错误：应以 http:// 或 https:// 开头")
    if not api_base.endswith("/"):
        api_base += "/"
    return WeComSettings(
        corp_id=env["WECOM_CORP_ID"].strip(),
        agent_id=agent_id,
        secret=env["WECOM_SECRET"].strip(),
        token=env["WECOM_TOKEN"].strip(),
        aes_key=aes_key,
        api_base=api_base,
    )


def _all_or_none(env: Mapping[str, str], names: list[str], what: str) -> bool:
    """False when none is set; raises naming the first missing one when only some are."""
    if not any(env.get(n) for n in names):
        return False
    missing = [n for n in names if not env.get(n)]
    if missing:
        prefix = names[0].split("_")[0]
        raise ConfigError(
            f"缺少环境变量 {missing[0]}：{what}的 {prefix}_* 设置须全部提供或全部不设"
        )
    return True


def _base_url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name) or default
    if not re.match(r"^https?://", value):
        raise ConfigError(f"环境变量 {name} 格式错误：应以 http:// 或 https:// 开头")
    return value if value.endswith("/") else value + "/"


def _dingtalk_from(env: Mapping[str, str]) -> DingTalkSettings | None:
    names = ["DINGTALK_APP_KEY", "DINGTALK_APP_SECRET", "DINGTALK_ROBOT_CODE", "DINGTALK_AGENT_ID"]
    if not _all_or_none(env, names, "钉钉"):
        return None
    try:
        agent_id = int(env["DINGTALK_AGENT_ID"])
    except ValueError:
        raise ConfigError("环境变量 DINGTALK_AGENT_ID 格式错误：应为整数（应用 AgentId）") from None
    oapi = _base_url(env, "DINGTALK_API_BASE", DEFAULT_DINGTALK_OAPI_BASE)
    openapi = oapi if env.get("DINGTALK_API_BASE") else DEFAULT_DINGTALK_OPENAPI_BASE
    return DingTalkSettings(
        app_key=env["DINGTALK_APP_KEY"].strip(),
        app_secret=env["DINGTALK_APP_SECRET"].strip(),
        robot_code=env["DINGTALK_ROBOT_CODE"].strip(),
        agent_id=agent_id,
        oapi_base=oapi,
        openapi_base=openapi,
    )


def _wechat_from(env: Mapping[str, str]) -> WeChatSettings | None:
    names = ["WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN"]
    if not _all_or_none(
        env, names + (["WECHAT_AES_KEY"] if env.get("WECHAT_AES_KEY") else []), "微信公众号"
    ):
        return None  # WECHAT_AES_KEY alone is optional: without it, plaintext mode only
    aes_key = (env.get("WECHAT_AES_KEY") or "").strip()
    if aes_key and not _AES_KEY_RE.match(aes_key):
        raise ConfigError(
            "环境变量 WECHAT_AES_KEY 格式错误：应为 43 位字母或数字（EncodingAESKey）"
        )
    return WeChatSettings(
        app_id=env["WECHAT_APP_ID"].strip(),
        app_secret=env["WECHAT_APP_SECRET"].strip(),
        token=env["WECHAT_TOKEN"].strip(),
        aes_key=aes_key,
        api_base=_base_url(env, "WECHAT_API_BASE", DEFAULT_WECHAT_API_BASE),
    )


# domain settings read by handlers through ctx.option: checked here so a typo stops start-up
# instead of silently falling back to the default. name -> (low, high, meaning)
NUMERIC_OPTIONS: dict[str, tuple[float, float, str]] = {
    "LIAISON_REPORT_OPEN_DAY": (1, 28, "月报窗口开启日（1–28）"),
    "LIAISON_REPORT_DEADLINE_WORKDAY": (1, 20, "月报截止为次月第几个工作日（1–20）"),
    "LIAISON_REPORT_REMIND_HOUR": (0, 23, "提醒发送的整点（0–23）"),
    "LIAISON_REFERRAL_SIGN_DAYS": (1, 30, "签收期限工作日数（1–30）"),
    "LIAISON_REFERRAL_DAYS": (1, 180, "反馈期限工作日数（1–180）"),
    "LIAISON_WARN_COUNT": (2, 1000, "预警阈值件数（≥2）"),
    "LIAISON_WARN_DAYS": (1, 365, "预警统计天数（1–365）"),
    "LIAISON_WECOM_REPLY_BUDGET": (0.05, 4.5, "被动回复等待秒数（0.05–4.5）"),
    "LIAISON_WECHAT_REPLY_BUDGET": (0.05, 4.5, "公众号被动回复等待秒数（0.05–4.5）"),
}


def _check_options(env: Mapping[str, str]) -> None:
    for name, (low, high, meaning) in NUMERIC_OPTIONS.items():
        raw = env.get(name)
        if raw is None or raw == "":
            continue
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"环境变量 {name} 格式错误：应为数字，{meaning}") from None
        whole = not name.endswith("_REPLY_BUDGET")
        if not low <= value <= high or (whole and value != int(value)):
            raise ConfigError(f"环境变量 {name} 超出范围：{meaning}，当前为 {raw}")


def _check_hazard_days(env: Mapping[str, str]) -> None:
    """`放射=10,化学毒物=10`: known hazard types, whole days in LIAISON_REFERRAL_DAYS's range."""
    from handlers.referrals.text import HAZARDS

    name = "LIAISON_REFERRAL_DAYS_BY_HAZARD"
    raw = (env.get(name) or "").replace("，", ",")
    low, high, _ = NUMERIC_OPTIONS["LIAISON_REFERRAL_DAYS"]
    for item in filter(None, (part.strip() for part in raw.split(","))):
        hazard, _, days = (x.strip() for x in item.partition("="))
        if hazard not in HAZARDS:
            raise ConfigError(
                f"环境变量 {name} 格式错误：「{hazard}」不是危害类型，应为 {'、'.join(HAZARDS)} 之一"
            )
        if not days.isdigit() or not low <= int(days) <= high:
            raise ConfigError(
                f"环境变量 {name} 格式错误：「{item}」的期限应为 {low:.0f}–{high:.0f} 的工作日数，"
                "如 放射=10,化学毒物=10"
            )


def _check_first_period(env: Mapping[str, str]) -> None:
    """Checked by the parser the assessment uses, so what starts is what the handler reads."""
    from handlers.core import UserError
    from handlers.reports.calendar import Period

    raw = (env.get("LIAISON_REPORT_FIRST_PERIOD") or "").strip()
    try:
        if raw:
            Period.parse(raw)
    except UserError:
        raise ConfigError(
            f"环境变量 LIAISON_REPORT_FIRST_PERIOD 格式错误：应为考核起算月份 YYYY-MM，如 2026-07，当前为 {raw}"
        ) from None


def _check_public_url(env: Mapping[str, str]) -> None:
    """The desk's sign-in links (后台) start with it: the address people open in a browser."""
    raw = (env.get("LIAISON_PUBLIC_URL") or "").strip()
    if raw and not re.match(r"^https?://[^/\s]+(/\S*)?$", raw):
        raise ConfigError(
            f"环境变量 LIAISON_PUBLIC_URL 格式错误：应为后台的访问地址，如 https://liaison.example.gov.cn，当前为 {raw}"
        )


def load_settings(env: Mapping[str, str] | None = None, *, read_dotenv: bool = True) -> Settings:
    """Build Settings from `env` (default: the process environment plus `.env` if present)."""
    if env is None:
        if read_dotenv:
            from dotenv import load_dotenv

            load_dotenv(Path.cwd() / ".env", override=False)
        env = dict(os.environ)
    instance = Path(env.get("LIAISON_INSTANCE_PATH") or "instance").resolve()
    url = env.get("LIAISON_DATABASE_URL") or f"sqlite:///{instance / 'liaison.db'}"
    if "://" not in url:
        raise ConfigError("环境变量 LIAISON_DATABASE_URL 格式错误：应为 SQLAlchemy 数据库地址")
    tz_name = env.get("LIAISON_TIMEZONE") or "Asia/Shanghai"
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"环境变量 LIAISON_TIMEZONE 无效：未知时区 {tz_name}") from None
    _check_options(env)
    _check_hazard_days(env)
    _check_first_period(env)
    _check_public_url(env)
    seal_key = env.get("LIAISON_SEAL_KEY") or None
    return Settings(
        database_url=url,
        timezone=tz,
        org_name=env.get("LIAISON_ORG_NAME") or DEFAULT_ORG_NAME,
        instance_path=instance,
        wecom=_wecom_from(env),
        dingtalk=_dingtalk_from(env),
        wechat=_wechat_from(env),
        seal_key=seal_key,
        extra={k: v for k, v in env.items() if k.startswith("LIAISON_")},
    )
