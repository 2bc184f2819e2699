"""The desk in a real browser: Playwright driving Debian's Chromium headless (`.ci/run` installs
it). Sign in by the link from chat, open every page, send a 催报, open a case, download a table
and a chart; screenshots go to tests/artifacts/ (kept by CI, ignored by git)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.web.conftest import link_path
from tests.web.story import OFFICE, populate

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NAV = ["总览", "月报", "案件", "会议", "督办", "征求意见", "预警", "简报", "名册", "发送", "审计"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium absent: apt-get install chromium (CI does)"
)


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(request) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def test_the_office_works_at_the_desk(
    desk_bot, desk_server, browser, shots, database_url, tmp_path
):
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    numbers = populate(desk_bot)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()

    page.goto(desk_server + "/desk/cases")
    assert "请在企业微信中发送「后台」" in page.content()

    page.goto(desk_server + link_path(desk_bot.send(OFFICE, "后台")))
    page.click("#enter")
    page.wait_for_selector("figure img")
    assert "总览" in page.title()
    page.screenshot(path=str(shots / f"desk-overview-{backend}.png"), full_page=True)

    for label in NAV:
        page.click(f"header nav >> text={label}")
        page.wait_for_load_state()
        assert page.locator("h1").count() >= 1, label
        assert "请求被拒绝" not in page.content(), label
        page.screenshot(path=str(shots / f"desk-{NAV.index(label):02d}-{backend}.png"))

    page.click("header nav >> text=月报")
    page.click("#chase")
    page.wait_for_selector(".flash")
    assert page.locator(".flash").inner_text().strip()
    page.screenshot(path=str(shots / f"desk-reports-{backend}.png"), full_page=True)

    page.click("header nav >> text=案件")
    page.click(f"text={numbers['case']}")
    page.wait_for_selector("#reveal")
    assert "转办" in page.content()
    page.screenshot(path=str(shots / f"desk-case-{backend}.png"), full_page=True)

    with page.expect_download() as table:
        page.click("text=导出 .xlsx")
    book = load_workbook(io.BytesIO(Path(table.value.path()).read_bytes()))
    assert book.active.max_row >= 2

    page.click("header nav >> text=总览")
    with page.expect_download() as chart:
        page.click("figcaption >> nth=0 >> text=下载 PNG")
    assert Path(chart.value.path()).read_bytes()[:4] == b"\x89PNG"

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.add_cookies(context.cookies())
    mobile = phone.new_page()
    mobile.goto(desk_server + "/desk/reports")
    assert "月报报送情况" in mobile.content()
    mobile.screenshot(path=str(shots / f"desk-phone-{backend}.png"), full_page=True)
    phone.close()
    context.close()
