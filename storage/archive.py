"""Year-end archive (建档立卷): one .zip per year, the same bytes every time it is built.

After GB/T 18894-2016 (电子文件归档与电子档案管理规范): every file is listed in `manifest.json` and
`目录.csv` with its SHA-256 and the metadata the standard asks for — 题名, 责任者, 日期, 文种,
保管期限, 密级. What goes in: the bulletins, minutes and other documents filed in the year (as
they were stored), and the year's monthly reports, case files, decided items, comment rounds and
audit log as UTF-8 CSV. Case files carry no reporter: the sealed identity table is left out and so
is the query code's hash.

Same bytes: entries sorted by name, one fixed timestamp (the year's last day), fixed permissions,
fixed compression; tables ordered by id; no "generated at" anywhere. Building writes nothing to
the database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from storage.audit import AuditEntry, ChangeEntry
from storage.documents import Document
from storage.followup import CommentReply, CommentRound, FollowupEvent, FollowupItem
from storage.meetings import Meeting
from storage.referrals import ReferralCase, ReferralEvent
from storage.reports import Bulletin, MonthlyReport, ReportVersion

MANIFEST = "manifest.json"
CATALOGUE = "目录.csv"
STANDARD = "GB/T 18894-2016"
SEALED_COLUMNS = {"query_hash"}  # never archived (the reporter's table is not read at all)
# document kind -> (folder, 文种, 保管期限)
DOC_KINDS = {
    "简报": ("简报", "简报", "永久"),
    "纪要": ("会议纪要", "纪要", "永久"),
    "督办通报": ("督办", "通报", "30年"),
    "征求意见": ("征求意见", "函", "30年"),
    "联合检查": ("联合检查", "报告", "30年"),
    "考核表": ("考核", "报表", "30年"),
}


class ArchiveError(Exception):
    """The zip cannot be read or does not match its manifest; the text says which file."""


@dataclass(frozen=True)
class Item:
    path: str
    题名: str
    责任者: str
    日期: str
    文种: str
    保管期限: str
    密级: str
    sha256: str = ""
    size: int = 0


def _csv(header: list[str], rows: Iterable[Iterable]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _plain(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def _plain(value) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _table(session: Session, model, where=None) -> bytes:
    columns = [c.key for c in inspect(model).column_attrs if c.key not in SEALED_COLUMNS]
    query = select(model).order_by(*inspect(model).primary_key)
    if where is not None:
        query = query.where(where)
    rows = session.scalars(query).all()
    return _csv(columns, ([getattr(r, c) for c in columns] for r in rows))


def _bounds(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def collect(
    session: Session, files_root: Path, year: int, org: str, tz: ZoneInfo
) -> list[tuple[Item, bytes]]:
    """Every file of the year with its metadata, in archive order."""
    start, end = _bounds(year, tz)
    last_day = f"{year}-12-31"
    out: list[tuple[Item, bytes]] = []

    def add(path, title, kind, keep, content, when=last_day, secret="内部"):
        out.append((Item(path, title, org, when, kind, keep, secret), content))

    docs = session.scalars(
        select(Document)
        .where(Document.created_at >= start, Document.created_at < end)
        .where(Document.kind.in_(DOC_KINDS))
        .order_by(Document.id)
    ).all()
    for doc in docs:
        folder, kind, keep = DOC_KINDS[doc.kind]
        source = files_root / doc.path
        if not source.is_file():
            continue
        when = doc.created_at.astimezone(tz).date().isoformat()
        name = f"{folder}/{doc.id:05d}-{doc.filename}"
        add(name, f"{doc.kind} {doc.subject} {doc.filename}", kind, keep, source.read_bytes(), when)

    prefix = f"{year}-"
    add(
        f"简报/简报登记_{year}.csv",
        f"{year}年简报登记",
        "登记表",
        "永久",
        _table(session, Bulletin, Bulletin.year == year),
    )
    add(
        f"月报/月报_{year}.csv",
        f"{year}年成员单位月报",
        "报表",
        "30年",
        _table(session, MonthlyReport, MonthlyReport.period.startswith(prefix)),
    )
    report_ids = select(MonthlyReport.id).where(MonthlyReport.period.startswith(prefix))
    add(
        f"月报/月报修改记录_{year}.csv",
        f"{year}年月报各版本",
        "报表",
        "30年",
        _table(session, ReportVersion, ReportVersion.report_id.in_(report_ids)),
    )
    in_year = ReferralCase.created_at >= start, ReferralCase.created_at < end
    add(
        f"案件/案件_{year}.csv",
        f"{year}年举报案件（举报人身份已封存，不在本卷）",
        "案卷",
        "30年",
        _table(session, ReferralCase, in_year[0] & in_year[1]),
    )
    case_ids = select(ReferralCase.id).where(*in_year)
    add(
        f"案件/案件办理记录_{year}.csv",
        f"{year}年举报案件办理记录",
        "案卷",
        "30年",
        _table(session, ReferralEvent, ReferralEvent.case_id.in_(case_ids)),
    )
    add(
        f"会议/会议_{year}.csv",
        f"{year}年联席会议",
        "登记表",
        "永久",
        _table(session, Meeting, (Meeting.starts_at >= start) & (Meeting.starts_at < end)),
    )
    items_in = (FollowupItem.created_at >= start) & (FollowupItem.created_at < end)
    add(
        f"督办/议定事项_{year}.csv",
        f"{year}年议定事项与整改",
        "登记表",
        "30年",
        _table(session, FollowupItem, items_in),
    )
    item_ids = select(FollowupItem.id).where(items_in)
    add(
        f"督办/督办记录_{year}.csv",
        f"{year}年督办记录",
        "登记表",
        "30年",
        _table(session, FollowupEvent, FollowupEvent.item_id.in_(item_ids)),
    )
    rounds_in = (CommentRound.created_at >= start) & (CommentRound.created_at < end)
    add(
        f"征求意见/征求意见_{year}.csv",
        f"{year}年征求意见",
        "登记表",
        "30年",
        _table(session, CommentRound, rounds_in),
    )
    round_ids = select(CommentRound.id).where(rounds_in)
    add(
        f"征求意见/各单位意见_{year}.csv",
        f"{year}年征求意见各单位答复",
        "登记表",
        "30年",
        _table(session, CommentReply, CommentReply.round_id.in_(round_ids)),
    )
    for model, label in ((AuditEntry, "审计日志"), (ChangeEntry, "数据变更记录")):
        when = (model.at >= start) & (model.at < end)
        add(
            f"审计/{label}_{year}.csv",
            f"{year}年{label}（哈希链）",
            "日志",
            "30年",
            _table(session, model, when),
        )
    return out


def _zip_entry(zf: zipfile.ZipFile, name: str, content: bytes, year: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(year, 12, 31, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o100644 << 16
    info.create_system = 3  # unix, whatever the building machine
    info.flag_bits |= 0x800  # names are UTF-8
    zf.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def build(session: Session, files_root: Path, year: int, org: str, tz: ZoneInfo) -> bytes:
    """The year's archive as zip bytes; the same database and files give the same bytes."""
    items = []
    for item, content in collect(session, files_root, year, org, tz):
        digest = hashlib.sha256(content).hexdigest()
        items.append((Item(**{**asdict(item), "sha256": digest, "size": len(content)}), content))
    items.sort(key=lambda pair: pair[0].path)
    manifest = {
        "标准": STANDARD,
        "全宗": org,
        "年度": year,
        "files": [asdict(item) for item, _ in items],
    }
    catalogue = _csv(
        ["档号", "题名", "责任者", "日期", "文种", "保管期限", "密级", "文件", "SHA-256", "字节"],
        (
            [
                f"{year}-{n:04d}",
                i.题名,
                i.责任者,
                i.日期,
                i.文种,
                i.保管期限,
                i.密级,
                i.path,
                i.sha256,
                i.size,
            ]
            for n, (i, _) in enumerate(items, 1)
        ),
    )
    body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in sorted(
            [(MANIFEST, body), (CATALOGUE, catalogue), *((i.path, c) for i, c in items)]
        ):
            _zip_entry(zf, name, content, year)
    return buf.getvalue()


def verify(data: bytes) -> list[Item]:
    """Check every file in the zip against the manifest; the items, or ArchiveError naming the
    first file that is missing, extra or different."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(zf.read(MANIFEST))
    except (zipfile.BadZipFile, KeyError, ValueError) as err:
        raise ArchiveError(f"不是有效的年度档案包（{type(err).__name__}）") from None
    items = [Item(**entry) for entry in manifest["files"]]
    names = set(zf.namelist()) - {MANIFEST, CATALOGUE}
    listed = {item.path for item in items}
    for extra in sorted(names - listed):
        raise ArchiveError(f"{extra} 不在清单中")
    for item in items:
        if item.path not in names:
            raise ArchiveError(f"{item.path} 缺失")
        content = zf.read(item.path)
        if hashlib.sha256(content).hexdigest() != item.sha256 or len(content) != item.size:
            raise ArchiveError(f"{item.path} 的 SHA-256 与清单不符（已被改动）")
        for field in ("题名", "责任者", "日期", "文种", "保管期限", "密级"):
            if not getattr(item, field):
                raise ArchiveError(f"{item.path} 缺少元数据「{field}」")
    return items


def archive_name(year: int) -> str:
    return f"联席会议档案_{year}.zip"
