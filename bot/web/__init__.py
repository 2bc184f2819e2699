"""办公室后台 (the desk): server-rendered pages where the office compiles and checks.

The chat stays the way in: `后台` gives a one-time sign-in link (bot/web/auth.py). Pages read
through `queries.py` and `charts.py`; every table downloads as .xlsx (`?xlsx=1`). Anything that
changes a record — 催报, 重发, 举报人, 简报 发布 — is sent as the same chat command, as the signed-in
person, through `bot.dispatch.handle`: the same rules, roles, replies and audit entries as in chat.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from bot.dispatch import Services


def blueprint(services: Services) -> Blueprint:
    from bot.web import auth, pages

    bp = Blueprint(
        "desk",
        __name__,
        url_prefix="/desk",
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )

    @bp.record_once
    def configure(state) -> None:
        app: Flask = state.app
        public = services.settings.extra.get("LIAISON_PUBLIC_URL", "")
        app.secret_key = app.secret_key or auth.session_secret(services.seal_key or b"")
        app.config.update(
            SESSION_COOKIE_NAME="liaison_desk",
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SAMESITE="Lax",
            SESSION_COOKIE_SECURE=public.startswith("https://"),
        )
        app.jinja_env.globals["csrf_token"] = auth.csrf_token

    bp.before_request(auth.check_csrf)
    pages.register(bp)
    return bp
