"""Generated and received documents (bulletins, minutes, exports) kept for download and archive.

They name units and people, so each file is written 0600 in folders 0700: only the account the
bot runs as can read them, whatever the umask.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db import Base, UTCDateTime


class Document(Base):
    __tablename__ = "document"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)  # 简报 / 纪要 / 考核表 / 导出
    subject: Mapped[str] = mapped_column(String(100), default="", index=True)  # 2026Q3, HY12 …
    filename: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(500))  # relative to the files folder
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(Integer)


def private_dir(path: Path, *, tighten: bool = True) -> None:
    """Create the folder and any missing parents 0700; with `tighten`, an existing folder the app
    owns (files/, files/<kind>/) is set to 0700 too."""
    path = Path(path)
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode is cut by the umask; never widened by it
    if tighten and not missing:
        os.chmod(path, 0o700)


def write_private(path: Path, content: bytes) -> None:
    """Write a new file readable by its owner only (created 0600, not chmod-ed afterwards)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_CREAT


def save_document(
    session: Session,
    files_root: Path,
    *,
    kind: str,
    subject: str,
    filename: str,
    content: bytes,
    now: datetime,
    created_by: int | None = None,
) -> Document:
    """Write the bytes under `files_root/<kind>/` and record them; returns the row."""
    digest = hashlib.sha256(content).hexdigest()
    rel = Path(kind) / f"{now:%Y%m%d%H%M%S}-{digest[:8]}-{filename}"
    target = files_root / rel
    private_dir(files_root)
    private_dir(target.parent)
    write_private(target, content)
    doc = Document(
        kind=kind,
        subject=subject,
        filename=filename,
        path=str(rel),
        sha256=digest,
        size=len(content),
        created_at=now,
        created_by=created_by,
    )
    session.add(doc)
    session.flush()
    return doc
