"""The year-end archive (建档立卷): one zip per year, the same bytes every time, every file listed
with its SHA-256 and the GB/T 18894 metadata; `verify` catches a changed file."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest

from bot.web.commands import build_archive
from storage import archive
from tests.bot.test_cli import liaison
from tests.handlers.referrals.support import CONTACT, file_report
from tests.web.story import OFFICE, populate

METADATA = ("题名", "责任者", "日期", "文种", "保管期限", "密级")


@pytest.fixture
def year_of_records(bot):
    populate(bot)
    bot.send(OFFICE, "简报 生成 2026Q4")
    file_report(bot, employer="郑州市恒通化工有限公司")
    return bot


def test_building_twice_gives_the_same_bytes_and_every_file_checks(year_of_records, tmp_path):
    services = year_of_records.services
    first, second = build_archive(services, 2026), build_archive(services, 2026)
    assert first == second
    zf = zipfile.ZipFile(io.BytesIO(first))
    names = zf.namelist()
    assert names == sorted(names)
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["标准"].startswith("GB/T 18894")
    listed = {item["path"]: item for item in manifest["files"]}
    assert set(names) == set(listed) | {"manifest.json", "目录.csv"}
    for path, item in listed.items():
        content = zf.read(path)
        assert hashlib.sha256(content).hexdigest() == item["sha256"], path
        assert all(item[field] for field in METADATA), path
    for info in zf.infolist():
        assert info.date_time == (2026, 12, 31, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
    folders = {path.split("/")[0] for path in listed}
    assert {"月报", "案件", "会议", "督办", "征求意见", "审计"} <= folders
    everything = b"".join(zf.read(n) for n in names).decode("utf-8", "replace")
    assert CONTACT not in everything and "sealed" not in everything
    catalogue = list(csv.reader(io.StringIO(zf.read("目录.csv").decode("utf-8-sig"))))
    assert catalogue[0][:7] == ["档号", *METADATA]
    assert len(catalogue) == len(listed) + 1
    assert len(archive.verify(first)) == len(listed)


def test_verify_names_a_changed_file(year_of_records):
    data = build_archive(year_of_records.services, 2026)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("案件/案件_"):
                content = content.replace("宏达".encode(), "宏远".encode())
            zf.writestr(info, content)
    with pytest.raises(archive.ArchiveError, match=r"案件/案件_2026\.csv"):
        archive.verify(out.getvalue())


def test_the_cli_builds_and_verifies(year_of_records, env, tmp_path):
    made = liaison(["archive", "2026", "--out", str(tmp_path)], env, tmp_path)
    assert made.returncode == 0, made.stderr
    path = tmp_path / archive.archive_name(2026)
    assert path.read_bytes() == build_archive(year_of_records.services, 2026)
    ok = liaison(["archive", "verify", str(path)], env, tmp_path)
    assert ok.returncode == 0 and "核对通过" in ok.stdout
    path.write_bytes(path.read_bytes()[:-30] + b"\0" * 30)
    bad = liaison(["archive", "verify", str(path)], env, tmp_path)
    assert bad.returncode == 1 and bad.stderr.startswith("错误：")
