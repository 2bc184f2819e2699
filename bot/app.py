"""create_app: the one place that assembles settings, database, channels and routes (flaskr)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import Flask, jsonify
from sqlalchemy import text

import handlers  # noqa: F401  (registers every command)
from bot.config import ConfigError, Settings, load_settings
from bot.dispatch import Services
from storage.db import make_engine, make_session_factory
from storage.sealing import SealError, deployment_seal_key

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # a WeCom callback is a few KB; anything over 1 MB is refused unread


def system_clock(settings: Settings) -> Callable[[], datetime]:
    tz = settings.timezone
    return lambda: datetime.now(tz)


def build_services(
    settings: Settings | None = None, clock: Callable[[], datetime] | None = None
) -> Services:
    """Settings, database and clock, with the deployment's seal key checked against the database
    (a missing or different key is a ConfigError of one Chinese line, never a new key)."""
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    try:
        key = deployment_seal_key(engine, settings.seal_key, settings.instance_path)
    except SealError as err:
        engine.dispose()
        raise ConfigError(str(err)) from None
    return Services(
        settings=settings,
        sessions=make_session_factory(engine),
        clock=clock or system_clock(settings),
        seal_key=key,
    )


def create_app(services: Services | None = None) -> Flask:
    services = services or build_services()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions["liaison"] = services

    @app.get("/healthz")
    def healthz():
        try:
            with services.sessions() as session:
                session.execute(text("SELECT 1"))
        except Exception as err:
            log.warning("health check: database unreachable: %s", err)
            return jsonify(status="error", database="unreachable"), 503
        return jsonify(status="ok", database="ok")

    @app.get("/metrics")
    def metrics():
        """Prometheus text format: counters of every process, backlog read from the database."""
        from bot.metrics import exposition

        body, content_type = exposition(services)
        return body, 200, {"Content-Type": content_type}

    if services.settings.wecom is not None:
        from bot.channels import wecom

        app.register_blueprint(wecom.blueprint(services))
    if services.settings.dingtalk is not None:
        from bot.channels import dingtalk

        app.register_blueprint(dingtalk.blueprint(services))
    if services.settings.wechat is not None:
        from bot.channels import wechat_mp

        app.register_blueprint(wechat_mp.blueprint(services))
    from bot import web  # the office's desk, /desk (docs/desk.md)

    app.register_blueprint(web.blueprint(services))
    return app
