"""Sign-in without passwords: 后台 in chat gives a one-time link; everything else stays out."""

from __future__ import annotations

import re

import pytest

from storage import desk
from tests.web.conftest import link_path

OFFICE, CONVENER, LIAISON = "demo-office", "demo-convener", "demo-u09-liaison"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def sign_in(client, path: str):
    page = client.get(path)
    assert page.status_code == 200
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    return client.post(path, data={"csrf": token})


@pytest.mark.parametrize("user", [OFFICE, CONVENER])
def test_a_link_signs_in_once(desk_bot, desk_app, user):
    answer = desk_bot.send(user, "后台")
    assert "10 分钟" in answer
    path = link_path(answer)
    client = desk_app.test_client()
    res = sign_in(client, path)
    assert res.status_code == 302 and res.headers["Location"].endswith("/desk/")
    cookie = res.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/desk/").status_code == 200

    again = sign_in(desk_app.test_client(), path)
    assert again.status_code == 403
    assert "请在企业微信中发送「后台」" in again.get_data(as_text=True)


def test_an_expired_link_does_not_sign_in(desk_bot, desk_app, clock):
    path = link_path(desk_bot.send(OFFICE, "后台"))
    clock.advance(minutes=10, seconds=1)
    assert sign_in(desk_app.test_client(), path).status_code == 403


def test_a_liaison_officer_gets_no_link_and_cannot_use_one(desk_bot, desk_app):
    answer = desk_bot.send(LIAISON, "后台")
    assert "/desk/login/" not in answer
    with desk_bot.session() as s, s.begin():
        from storage.roster import find_person

        token = desk.issue(s, find_person(s, LIAISON).id, "console", desk_bot.clock())
    assert sign_in(desk_app.test_client(), f"/desk/login/{token}").status_code == 403
    assert "/desk/login/" not in desk_bot.send("someone-from-the-public", "后台")


def test_a_page_without_a_session_redirects_to_the_chinese_page(desk_bot, desk_app):
    client = desk_app.test_client()
    for path in ("/desk/", "/desk/reports", "/desk/cases", "/desk/audit"):
        res = client.get(path)
        assert res.status_code == 302, path
        page = client.get(res.headers["Location"])
        assert "请在企业微信中发送「后台」" in page.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused(desk_bot, desk_app):
    client = desk_app.test_client()
    sign_in(client, link_path(desk_bot.send(OFFICE, "后台")))
    res = client.post("/desk/reports/chase", data={"unit": ""})
    assert res.status_code == 400 and "校验码" in res.get_data(as_text=True)
    res = client.post("/desk/reports/chase", data={"unit": "", "csrf": "forged"})
    assert res.status_code == 400
    login = client.post(link_path(desk_bot.send(OFFICE, "后台")))
    assert login.status_code == 400  # the sign-in button is a form too


def test_idle_sessions_end_and_sign_out_works(desk_bot, desk_app, clock):
    client = desk_app.test_client()
    sign_in(client, link_path(desk_bot.send(OFFICE, "后台")))
    clock.advance(minutes=31)
    assert client.get("/desk/").status_code == 302
    sign_in(client, link_path(desk_bot.send(OFFICE, "后台")))
    page = client.get("/desk/reports").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    assert client.post("/desk/logout", data={"csrf": token}).status_code == 200
    assert client.get("/desk/").status_code == 302


def test_without_a_public_url_the_link_is_not_given(bot):
    assert "LIAISON_PUBLIC_URL" in bot.send(OFFICE, "后台")


def test_a_malformed_public_url_stops_start_up():
    from bot.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="LIAISON_PUBLIC_URL"):
        load_settings({"LIAISON_PUBLIC_URL": "liaison.example"}, read_dotenv=False)
