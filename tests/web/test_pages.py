"""Every desk page opens for the office, shows the records, and downloads as .xlsx; actions go
through the same chat commands (催报, 举报人) and leave the same audit entries."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from storage.audit import AuditEntry
from tests.web.conftest import link_path
from tests.web.story import OFFICE, populate
from tests.web.test_sign_in import CSRF, sign_in

PAGES = {
    "/desk/": "总览",
    "/desk/reports": "月报报送情况",
    "/desk/cases": "办理中的案件",
    "/desk/meetings": "会议",
    "/desk/followup": "议定事项",
    "/desk/comments": "征求意见",
    "/desk/signals": "预警",
    "/desk/bulletins": "简报",
    "/desk/roster": "名册",
    "/desk/failures": "发送失败",
    "/desk/audit": "审计日志",
}


@pytest.fixture
def office(desk_bot, desk_app):
    client = desk_app.test_client()
    sign_in(client, link_path(desk_bot.send(OFFICE, "后台")))
    return client


def test_every_page_opens_and_exports(desk_bot, office):
    numbers = populate(desk_bot)
    for path, title in PAGES.items():
        page = office.get(path)
        assert page.status_code == 200, path
        assert title in page.get_data(as_text=True), path
        if path != "/desk/":
            sheet = office.get(path + "?xlsx=1")
            assert sheet.mimetype.endswith("spreadsheetml.sheet"), path
            load_workbook(io.BytesIO(sheet.data))
    cases = office.get("/desk/cases").get_data(as_text=True)
    assert numbers["case"] in cases and "区人社局" in cases
    assert numbers["meeting"] in office.get("/desk/meetings").get_data(as_text=True)
    grid = office.get("/desk/reports").get_data(as_text=True)
    assert "按时" in grid and "未到期" in grid


def test_charts_download_as_png_and_xlsx(desk_bot, office):
    populate(desk_bot)
    for name in ("timeliness", "cases", "attendance", "decided"):
        png = office.get(f"/desk/chart/{name}.png?download=1")
        assert (
            png.data[:8] == b"\x89PNG\r\n\x1a\n"
            and "attachment" in png.headers["Content-Disposition"]
        )
        book = load_workbook(io.BytesIO(office.get(f"/desk/chart/{name}.xlsx").data))
        assert book.active.max_row >= 1


def test_a_case_keeps_its_reporter_sealed_until_opened_and_logged(desk_bot, office):
    case = populate(desk_bot)["case"]
    page = office.get(f"/desk/cases/{case}").get_data(as_text=True)
    assert "转办" in page and "13800138000" not in page
    token = CSRF.search(page).group(1)
    shown = office.post(f"/desk/cases/{case}/reporter", data={"csrf": token})
    assert shown.status_code == 200
    with desk_bot.session() as s:
        views = s.scalars(select(AuditEntry).where(AuditEntry.action == "查看举报人")).all()
    assert [v.subject for v in views] == [case]


def test_chasing_from_the_desk_is_the_chat_command(desk_bot, office):
    page = office.get("/desk/reports").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    res = office.post("/desk/reports/chase", data={"csrf": token, "unit": ""})
    assert res.status_code == 302
    flashed = office.get("/desk/reports").get_data(as_text=True)
    assert re.search(r"class=\"flash\">[^<]*(催|提醒|未报|截止)", flashed), flashed[:2000]


def test_the_audit_log_filters_by_person_case_and_date(desk_bot, office):
    case = populate(desk_bot)["case"]
    page = office.get(f"/desk/audit?subject={case}").get_data(as_text=True)
    assert case in page
    assert "referral_case" in page
    empty = office.get("/desk/audit?person=没有这个人").get_data(as_text=True)
    assert "暂无记录" in empty
    dated = office.get("/desk/audit?from=2020-01-01&to=2020-01-02").get_data(as_text=True)
    assert "暂无记录" in dated


def test_the_convener_sees_pages_but_not_the_archive(desk_bot, desk_app):
    client = desk_app.test_client()
    sign_in(client, link_path(desk_bot.send("demo-convener", "后台")))
    assert client.get("/desk/cases").status_code == 200
    assert client.get("/desk/archive/2026.zip").status_code == 403


def test_a_failed_message_shows_its_reason_and_is_sent_again(desk_bot, office):
    from storage.outbox import FAILED, PENDING, OutboxMessage

    with desk_bot.session() as s, s.begin():
        row = OutboxMessage(
            channel="wecom",
            address="demo-u09-liaison",
            person_id=None,
            kind="text",
            payload={"text": "请报送11月月报"},
            status=FAILED,
            attempts=5,
            created_at=desk_bot.clock(),
            next_attempt_at=desk_bot.clock(),
            last_error="errcode 81013 user not found",
        )
        s.add(row)
        s.flush()
        row_id = row.id
    page = office.get("/desk/failures").get_data(as_text=True)
    assert "收件人无效" in page and "请报送11月月报" in page
    token = CSRF.search(page).group(1)
    res = office.post(f"/desk/failures/{row_id}/retry", data={"csrf": token})
    assert res.status_code == 302
    assert "重新排队" in office.get("/desk/failures").get_data(as_text=True)
    with desk_bot.session() as s:
        assert s.get(OutboxMessage, row_id).status == PENDING
