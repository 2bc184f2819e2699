"""What `liaison audit verify` and `liaison archive` do (bot/cli.py only declares the commands)."""

from __future__ import annotations

from pathlib import Path

from bot.dispatch import Services
from storage import archive, audit
from storage.db import reader


def verify_audit(services: Services) -> tuple[bool, str]:
    """(chain intact?, one Chinese line for the operator)."""
    with reader(services.sessions) as session:
        checked, broken = audit.verify(session)
    if broken is None:
        return True, f"审计日志完整：{checked} 条，哈希链逐条核对无误。"
    return False, (
        f"{broken.journal}第 {broken.entry_id} 条（id={broken.entry_id}）被篡改：{broken.reason}；"
        f"此前 {checked} 条无误。"
    )


def build_archive(services: Services, year: int) -> bytes:
    settings = services.settings
    with reader(services.sessions) as session:
        return archive.build(
            session, settings.files_path, year, settings.org_name, settings.timezone
        )


def write_archive(services: Services, year: int, folder: Path) -> Path:
    target = Path(folder) / archive.archive_name(year)
    target.write_bytes(build_archive(services, year))
    return target


def verify_archive(path: Path) -> tuple[bool, str]:
    try:
        items = archive.verify(Path(path).read_bytes())
    except archive.ArchiveError as err:
        return False, f"档案包核对不通过：{err}"
    except OSError as err:
        return False, f"无法读取 {path}：{err.strerror}"
    return True, f"档案包核对通过：{len(items)} 个文件的 SHA-256 与清单一致，元数据齐全。"
