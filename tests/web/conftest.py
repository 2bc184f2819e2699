"""The desk served for real: the demo roster, LIAISON_PUBLIC_URL set, werkzeug on loopback."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from bot.app import create_app
from bot.config import load_settings
from bot.dispatch import Services
from storage.db import make_engine, make_session_factory
from tests.support import FakeClock, TestBot

LINK = re.compile(r"https?://\S+/desk/login/\S+")


@pytest.fixture
def desk_services(env: dict[str, str], clock: FakeClock) -> Iterator[Services]:
    settings = load_settings({**env, "LIAISON_PUBLIC_URL": "http://127.0.0.1"})
    engine = make_engine(settings.database_url)
    yield Services(settings=settings, sessions=make_session_factory(engine), clock=clock)
    engine.dispose()


@pytest.fixture
def desk_bot(desk_services: Services, clock: FakeClock) -> TestBot:
    bot = TestBot(services=desk_services, clock=clock)
    bot.seed_demo()
    return bot


@pytest.fixture
def desk_app(desk_services: Services):
    app = create_app(desk_services)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def desk_server(desk_app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, desk_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def link_path(answer: str) -> str:
    """The path of the sign-in link in a 后台 answer."""
    found = LINK.search(answer)
    assert found, answer
    return "/desk/" + found.group(0).split("/desk/", 1)[1]
