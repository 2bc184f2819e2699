"""Signing in to the desk without a password, and the checks every request passes.

`后台` in chat (handlers/desk.py) gives a one-time link. Opening it shows one button (a link
previewer fetching the page spends nothing); pressing it redeems the token — once, within 10
minutes — and starts a session: Flask's signed cookie, HttpOnly, SameSite=Lax, Secure when
LIAISON_PUBLIC_URL is https, ended after 30 idle minutes. Every request reads the person's
appointments again, so a role taken away ends the session at the next click. Every POST carries
the session's CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from flask import abort, current_app, g, redirect, render_template, request, session, url_for

from bot.dispatch import Services
from handlers.core import Role
from storage import audit
from storage import desk as tokens
from storage.db import reader
from storage.roster import Person, current_appointments

DESK_ROLES = frozenset({Role.OFFICE.value, Role.GENERAL_CONVENER.value, Role.CONVENER.value})
IDLE = timedelta(minutes=30)
CHANNEL = "后台"


@dataclass(frozen=True)
class DeskUser:
    person_id: int
    name: str
    roles: frozenset[str]
    channel: str  # the chat channel the link was asked from: actions run there
    account: str

    @property
    def is_office(self) -> bool:
        return Role.OFFICE.value in self.roles


def services() -> Services:
    return current_app.extensions["liaison"]


def session_secret(seal_key: bytes) -> bytes:
    """The cookie-signing key, derived from the deployment's seal key (never stored)."""
    return hmac.new(seal_key, b"liaison desk session", hashlib.sha256).digest()


def account_of(person: Person, channel: str) -> str:
    if channel == "dingtalk" and person.dingtalk_userid:
        return person.dingtalk_userid
    return person.wecom_userid or person.dingtalk_userid or f"p{person.id}"


def load_user(person_id: int, channel: str) -> DeskUser | None:
    with reader(services().sessions) as s:
        person = s.get(Person, person_id)
        if person is None:
            return None
        roles = frozenset(a.role for a in current_appointments(s, person_id))
        if not roles & DESK_ROLES:
            return None
        return DeskUser(person.id, person.name, roles, channel, account_of(person, channel))


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf() -> None:
    """Every form posts the session's token; anything else is refused before it is read."""
    if request.method != "POST":
        return
    sent = request.form.get("csrf", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
        abort(400, description="表单已失效（缺少或不符的校验码）。请回到页面刷新后再提交。")


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        now = services().clock().timestamp()
        data = session.get("desk")
        if not data or now - data.get("seen", 0) > IDLE.total_seconds():
            session.pop("desk", None)
            return redirect(url_for("desk.ask_in_chat"))
        user = load_user(data["pid"], data["channel"])
        if user is None:
            session.clear()
            return redirect(url_for("desk.ask_in_chat"))
        data["seen"] = now
        session.modified = True
        g.user = user
        return view(*args, **kwargs)

    return wrapper


def begin(token: str) -> DeskUser | None:
    """Redeem the link's token and start the session; None if it does not sign anyone in."""
    svc = services()
    with svc.sessions() as s, s.begin():
        row = tokens.redeem(s, token, svc.clock())
        if row is None:
            return None
        person_id, channel = row.person_id, row.channel
    user = load_user(person_id, channel)
    if user is None:
        return None
    with svc.sessions() as s, s.begin():
        audit.record(s, svc.clock(), user.name, "登录后台", "后台", "", user.person_id, CHANNEL)
    session.clear()
    session["desk"] = {
        "pid": user.person_id,
        "channel": user.channel,
        "seen": svc.clock().timestamp(),
    }
    csrf_token()
    return user


def sign_in_page(token: str):
    return render_template("desk/signin.html", token=token)
