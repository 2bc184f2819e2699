"""The desk's routes: one page per area, each a table that also downloads as .xlsx."""

from __future__ import annotations

import io
import re
import tempfile
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from openpyxl import Workbook

from bot import dispatch
from bot.web import auth, charts, queries
from bot.web.auth import signed_in
from bot.web.queries import Table
from handlers.core import Incoming
from handlers.xlsx_style import finish_workbook
from storage import archive, audit
from storage import referrals as rf
from storage.db import reader
from storage.documents import Document
from storage.reports import find_report
from storage.roster import Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOWNLOADABLE = {
    "简报",
    "考核表",
    "督办通报",
    "导出",
}  # 纪要 stay in chat, where each view is logged
NAV = [
    ("desk.overview", "总览"),
    ("desk.reports", "月报"),
    ("desk.cases", "案件"),
    ("desk.meetings", "会议"),
    ("desk.followup", "督办"),
    ("desk.comments", "征求意见"),
    ("desk.signals", "预警"),
    ("desk.bulletins", "简报"),
    ("desk.roster", "名册"),
    ("desk.failures", "发送"),
    ("desk.audit_log", "审计"),
]


def _ctx(session):
    return auth.services().context(session)


def _year() -> int:
    raw = request.args.get("year", "")
    svc = auth.services()
    return (
        int(raw)
        if raw.isdigit() and len(raw) == 4
        else svc.clock().astimezone(svc.settings.timezone).year
    )


def xlsx_response(title: str, columns: list[str], rows: list[list]) -> Response:
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\\/*?:\[\]]", "", title)[:31] or "表"
    sheet.append(columns)
    for row in rows:
        sheet.append([str(c) if isinstance(c, queries.Cell) else c for c in row])
    finish_workbook(book)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return send_file(out, mimetype=XLSX, as_attachment=True, download_name=f"{title}.xlsx")


def show(table: Table, template: str = "desk/table.html", **extra):
    if request.args.get("xlsx"):
        return xlsx_response(table.title, table.columns, table.rows)
    return render_template(template, table=table, nav=NAV, user=g.user, **extra)


def run_in_chat(text: str) -> str:
    """Send `text` as the signed-in person, exactly as if typed in chat; the reply's text."""
    user = g.user
    msg = Incoming(channel=user.channel, user_id=user.account, text=text)
    reply, _duplicate = dispatch.handle(auth.services(), msg)
    return reply.text


def register(bp: Blueprint) -> None:
    @bp.get("/signin")
    def ask_in_chat():
        return render_template("desk/ask.html"), 401

    @bp.route("/login/<token>", methods=["GET", "POST"])
    def login(token: str):
        if request.method == "GET":
            return auth.sign_in_page(token)
        if auth.begin(token) is None:
            return render_template("desk/ask.html", refused=True), 403
        return redirect(url_for("desk.overview"))

    @bp.post("/logout")
    def logout():
        session.clear()
        return render_template("desk/ask.html", signed_out=True)

    @bp.get("/")
    @signed_in
    def overview():
        year = _year()
        with reader(auth.services().sessions) as s:
            built = charts.all_charts(_ctx(s), year)
        return render_template("desk/overview.html", charts=built, year=year, nav=NAV, user=g.user)

    @bp.get("/chart/<name>.<ext>")
    @signed_in
    def chart(name: str, ext: str):
        if name not in charts.CHARTS or ext not in ("png", "xlsx"):
            abort(404)
        with reader(auth.services().sessions) as s:
            built = charts.CHARTS[name](_ctx(s), _year())
        if ext == "xlsx":
            return xlsx_response(built.title, built.columns, built.rows)
        return send_file(
            io.BytesIO(built.png()),
            mimetype="image/png",
            download_name=f"{built.title}.png",
            as_attachment=bool(request.args.get("download")),
        )

    @bp.get("/reports")
    @signed_in
    def reports():
        with reader(auth.services().sessions) as s:
            table = queries.report_grid(_ctx(s), _year())
        return show(table, "desk/reports.html", year=_year())

    @bp.get("/reports/<int:unit_id>/<period>")
    @signed_in
    def report(unit_id: int, period: str):
        with reader(auth.services().sessions) as s:
            row = find_report(s, unit_id, period)
            if row is None:
                abort(404)
            unit = s.get(Unit, unit_id).name
            body = [
                ("工作动态", row.work_dynamics),
                ("主要活动", row.main_activities),
                ("重大事项进展", row.major_progress),
            ]
            filed = _ctx(s).local(row.filed_at).strftime("%Y-%m-%d %H:%M")
        return render_template(
            "desk/report.html",
            unit=unit,
            period=period,
            body=body,
            filed=filed,
            version=row.version,
            nav=NAV,
            user=g.user,
        )

    @bp.post("/reports/chase")
    @signed_in
    def chase():
        unit = request.form.get("unit", "").strip()
        flash(run_in_chat(f"催报 {unit}".strip()))
        return redirect(url_for("desk.reports"))

    @bp.get("/cases")
    @signed_in
    def cases():
        with reader(auth.services().sessions) as s:
            table = queries.open_cases(_ctx(s))
        return show(table)

    @bp.get("/cases/<number>")
    @signed_in
    def case(number: str):
        with reader(auth.services().sessions) as s:
            row = rf.case_by_number(s, number)
            if row is None:
                abort(404)
            table = queries.case_history(_ctx(s), row)
            facts = [
                ("企业", row.employer),
                ("地点", row.place),
                ("危害", row.hazard),
                ("情况", row.description),
                ("办理结果", row.conclusion or row.result),
            ]
        return show(table, "desk/case.html", number=number, facts=facts)

    @bp.post("/cases/<number>/reporter")
    @signed_in
    def reporter(number: str):
        answer = run_in_chat(f"举报人 {number}")
        with reader(auth.services().sessions) as s:
            row = rf.case_by_number(s, number)
            table = queries.case_history(_ctx(s), row) if row else abort(404)
            facts = []
        return render_template(
            "desk/case.html",
            table=table,
            number=number,
            facts=facts,
            revealed=answer,
            nav=NAV,
            user=g.user,
        )

    for name, build, _title in (
        ("meetings", queries.meetings, "会议"),
        ("followup", queries.followup_items, "督办"),
        ("comments", queries.comment_rounds, "征求意见"),
        ("signals", queries.open_signals, "预警"),
        ("bulletins", queries.bulletins, "简报"),
        ("failures", queries.send_failures, "发送"),
    ):
        bp.add_url_rule(f"/{name}", name, signed_in(_table_view(build, name)))

    @bp.get("/documents/<int:doc_id>")
    @signed_in
    def document(doc_id: int):
        svc = auth.services()
        with svc.sessions() as s, s.begin():
            doc = s.get(Document, doc_id)
            if doc is None or doc.kind not in DOWNLOADABLE:
                abort(404)
            audit.record(
                s,
                svc.clock(),
                g.user.name,
                "后台下载",
                doc.subject or doc.kind,
                doc.filename,
                g.user.person_id,
                auth.CHANNEL,
            )
            path, name = svc.settings.files_path / doc.path, doc.filename
        return send_file(path, as_attachment=True, download_name=name)

    @bp.post("/bulletins/publish")
    @signed_in
    def publish():
        quarter = request.form.get("quarter", "").strip()
        flash(run_in_chat(f"简报 发布 {quarter}".strip()))
        return redirect(url_for("desk.bulletins"))

    @bp.post("/failures/<int:row_id>/retry")
    @signed_in
    def retry(row_id: int):
        flash(run_in_chat(f"重发 {row_id}"))
        return redirect(url_for("desk.failures"))

    @bp.get("/roster")
    @signed_in
    def roster():
        with reader(auth.services().sessions) as s:
            ctx = _ctx(s)
            table, history = queries.roster(ctx), queries.role_history(ctx)
        if request.args.get("history"):
            return xlsx_response(history.title, history.columns, history.rows)
        return show(table, "desk/roster.html", history=history)

    @bp.post("/roster/import")
    @signed_in
    def roster_import():
        flash(_import_roster(request.files.get("file")))
        return redirect(url_for("desk.roster"))

    @bp.get("/audit")
    @signed_in
    def audit_log():
        args = request.args
        with reader(auth.services().sessions) as s:
            table = queries.audit_log(
                _ctx(s),
                args.get("person", "").strip(),
                args.get("subject", "").strip(),
                _date(args.get("from")),
                _date(args.get("to")),
            )
        return show(table, "desk/audit.html", args=args)

    @bp.get("/archive/<int:year>.zip")
    @signed_in
    def archive_zip(year: int):
        if not g.user.is_office:
            abort(403)
        from bot.web.commands import build_archive

        data = build_archive(auth.services(), year)
        return send_file(
            io.BytesIO(data),
            mimetype="application/zip",
            as_attachment=True,
            download_name=archive.archive_name(year),
        )

    @bp.errorhandler(400)
    @bp.errorhandler(403)
    @bp.errorhandler(404)
    def refused(err):
        return render_template("desk/error.html", err=err), err.code


def _table_view(build, name: str):
    def view():
        with reader(auth.services().sessions) as s:
            table = build(_ctx(s))
        return show(
            table, f"desk/{name}.html" if name in ("bulletins", "failures") else "desk/table.html"
        )

    view.__name__ = name
    return view


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _import_roster(upload) -> str:
    from handlers.roster import RosterError, apply_rows, parse_rows, read_table

    if not g.user.is_office:
        return "名册导入仅限办公室使用。"
    if upload is None or not upload.filename:
        return "请选择名单文件（.xlsx 或 .csv）。"
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        return f"不支持的文件类型「{suffix}」，请上传 .xlsx 或 .csv。"
    svc = auth.services()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"roster{suffix}"
        upload.save(path)
        try:
            table, _note = read_table(path)
            rows = parse_rows(table)
            with svc.sessions() as s, s.begin():
                audit.set_actor(s, g.user.name, g.user.person_id, auth.CHANNEL)
                result = apply_rows(s, rows, svc.clock())
                audit.record(
                    s,
                    svc.clock(),
                    g.user.name,
                    "导入名册",
                    upload.filename[:100],
                    f"{len(rows)} 行",
                    g.user.person_id,
                    auth.CHANNEL,
                )
        except RosterError as err:
            return f"导入失败，未导入任何数据。{err}"
    return (
        f"导入完成：{len(rows)}行；新增人员{result.people_created}人，更新{result.people_updated}人，"
        f"新任职{result.appointments_started}项，卸任{result.appointments_ended}项。"
    )
