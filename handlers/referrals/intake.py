"""举报 by anyone (on the roster or not); 查询 by case number and query code is in query.py.

The dialogue keeps the contact already sealed in its state row, shows it masked, and on 提交
stores the reporter's account and contact sealed in `referral_reporter`, apart from the case.
The query code is shown once and kept only as an HMAC under the seal key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from handlers.core import (
    Context,
    Conversation,
    Incoming,
    Reply,
    UserError,
    command,
    flow,
)
from handlers.referrals import text as tx
from handlers.referrals.cases import log_event, office_people, street_of, suggest
from handlers.referrals.warning import check_clusters, employer_key
from storage import referrals as st
from storage.db import serialize
from storage.sealing import seal, unseal

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 6
FLOW = "举报"


def query_hash(ctx: Context, number: str, code: str) -> str:
    """HMAC under the seal key, so a copy of the database alone cannot test codes offline."""
    key = ctx.seal_key or b"liaison-bot"
    message = f"{number.upper()}:{code.strip().upper()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def mask_contact(contact: str) -> str:
    digits = re.sub(r"\D", "", contact)
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return contact[:1] + "****"


@command("举报", aliases=["投诉"])
def start_report(msg: Incoming, ctx: Context) -> str:
    """反映职业病危害问题（任何人可用，举报人信息保密）。"""
    ctx.start_conversation(FLOW, "employer")
    return tx.ASK_EMPLOYER


_TRAILING = " \u3000\t\n。.！!～~，,；;"
HAZARD_WORDS = {  # what people call the hazard types
    "灰尘": "粉尘", "烟尘": "粉尘", "矽尘": "粉尘", "石棉": "粉尘",
    "噪音": "噪声", "声音": "噪声", "震耳": "噪声",
    "化学": "化学毒物", "毒物": "化学毒物", "有毒": "化学毒物", "中毒": "化学毒物",
    "苯": "化学毒物", "甲醛": "化学毒物", "油漆": "化学毒物", "气体": "化学毒物",
    "辐射": "放射", "射线": "放射", "x光": "放射",
    "中暑": "高温", "炎热": "高温", "太热": "高温",
}  # fmt: skip
STEP_QUESTION = {
    "employer": tx.ASK_EMPLOYER.split("\n", 1)[1],
    "place": tx.ASK_PLACE,
    "hazard": tx.ASK_HAZARD,
    "description": tx.ASK_DESCRIPTION,
    "contact": tx.ASK_CONTACT,
    "confirm": tx.ASK_CONFIRM,
}


def _plain(text: str) -> str:
    """Width folded and trailing punctuation gone, for answers like «无。» or «提交！»."""
    return unicodedata.normalize("NFKC", text).strip(_TRAILING).lower()


def _take(text: str, low: int, high: int, error: str) -> str:
    text = text.strip()
    if not low <= len(text) <= high:
        raise UserError(error)
    return text


_NUMBERS_ONLY = re.compile(r"[\d\s,，、;；和及与.。]+")


def _hazard(text: str) -> str:
    """One or more hazard types, in the list's order: «粉尘危害», «噪音太大», «1.粉尘», «粉尘和噪声»,
    «1、2» («粉尘、噪声»)."""
    text = _plain(text)
    if _NUMBERS_ONLY.fullmatch(text):
        numbers = {int(n) for n in re.findall(r"\d+", text)}
        if numbers and all(1 <= n <= len(tx.HAZARDS) for n in numbers):
            return "、".join(h for i, h in enumerate(tx.HAZARDS, start=1) if i in numbers)
        raise UserError(tx.BAD_HAZARD)
    found = {h for h in tx.HAZARDS if h in text}
    found |= {h for word, h in HAZARD_WORDS.items() if word in text}
    if not found:
        raise UserError(tx.BAD_HAZARD)
    return "、".join(h for h in tx.HAZARDS if h in found)


def _contact_step(ctx: Context, convo: Conversation, text: str) -> str:
    plain = _plain(text)
    masked = ""
    if plain in tx.NO_CONTACT_WORDS or plain.startswith("不留"):
        convo.data.pop("contact", None)
    elif plain in tx.CONFIRM_WORDS:  # «提交» before the contact was answered
        raise UserError(tx.BAD_CONTACT)
    else:
        contact = _take(text, 3, 50, tx.BAD_CONTACT)
        convo.data["contact"] = seal(ctx.seal_key, contact)  # never in clear, even mid-dialogue
        masked = mask_contact(contact)
    convo.data["masked"] = masked
    convo.goto("confirm")
    return tx.preview(convo.data, masked)


def current_question(ctx: Context, convo: Conversation) -> str:
    return STEP_QUESTION.get(convo.step, tx.ASK_CONFIRM)


@flow(FLOW, timeout=timedelta(minutes=30), prompt=current_question)
def report_dialogue(msg: Incoming, ctx: Context, convo: Conversation) -> str | Reply:
    text = msg.text
    if convo.step == "employer":
        convo.data["employer"] = _take(text, 2, 100, tx.BAD_EMPLOYER)
        convo.goto("place")
        return tx.ASK_PLACE
    if convo.step == "place":
        convo.data["place"] = _take(text, 2, 200, tx.BAD_PLACE)
        convo.goto("hazard")
        return tx.ASK_HAZARD
    if convo.step == "hazard":
        convo.data["hazard"] = _hazard(text)
        convo.goto("description")
        return tx.ASK_DESCRIPTION
    if convo.step == "description":
        convo.data["description"] = _take(text, 10, 1000, tx.BAD_DESCRIPTION)
        convo.goto("contact")
        return tx.ASK_CONTACT
    if convo.step == "contact":
        return _contact_step(ctx, convo, text)
    if _plain(text) not in tx.CONFIRM_WORDS:
        return tx.ASK_CONFIRM
    case, code = file_case(ctx, msg, convo.data)
    convo.end()
    return Reply(text=tx.filed(case.number, code), private=True)


def _new_case(ctx: Context, data: dict, code: str) -> st.ReferralCase:
    """Insert with the next daily serial; a race for the same number retries with the next."""
    prefix = f"JB{ctx.local():%Y%m%d}"
    serialize(ctx.session, prefix)  # concurrent reporters take numbers one after another
    for _attempt in range(5):
        last = st.last_number(ctx.session, prefix)
        number = f"{prefix}{int(last[-4:]) + 1 if last else 1:04d}"
        case = st.ReferralCase(
            number=number,
            query_hash=query_hash(ctx, number, code),
            created_at=ctx.now,
            status=st.NEW,
            employer=data["employer"],
            employer_key=employer_key(data["employer"]),
            place=data["place"],
            street=street_of(ctx, data["place"]),
            hazard=data["hazard"],
            description=data["description"],
            has_contact=bool(data.get("contact")),
        )
        savepoint = ctx.session.begin_nested()
        try:
            ctx.session.add(case)
            ctx.session.flush()
        except IntegrityError:
            savepoint.rollback()
            continue
        savepoint.commit()
        return case
    raise UserError("系统繁忙，举报暂未登记，请稍后再次发送「提交」。")


def file_case(ctx: Context, msg: Incoming, data: dict) -> tuple[st.ReferralCase, str]:
    """Store the case, seal who reported it, tell the office, and check for a cluster."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    case = _new_case(ctx, data, code)
    account = seal(ctx.seal_key, f"{msg.channel}\t{msg.user_id}")
    ctx.session.add(
        st.ReferralReporter(
            case_id=case.id, sealed_account=account, sealed_contact=data.get("contact")
        )
    )
    log_event(ctx, case, "登记", f"危害类型：{case.hazard}", anonymous=True)
    suggestion = "、".join(s.unit for s in suggest(case.hazard, case.description, case.street))
    ctx.push(office_people(ctx), tx.new_case_notice(case, suggestion))
    check_clusters(ctx, case)
    return case, code


def reporter_address(ctx: Context, case: st.ReferralCase) -> tuple[str, str] | None:
    row = ctx.session.get(st.ReferralReporter, case.id)
    if row is None:
        return None
    channel, _, user_id = unseal(ctx.seal_key, row.sealed_account).partition("\t")
    return channel, user_id


def notify_reporter(ctx: Context, case: st.ReferralCase, text: str, key: str) -> None:
    """Tell the reporter through a sealed outbox row: the address is opened only to send."""
    address = reporter_address(ctx, case)
    if address is not None:
        ctx.push_to(address[0], address[1], {"text": text}, key=key, sealed=True)
