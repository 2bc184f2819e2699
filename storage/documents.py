"""Generated and received documents (bulletins, minutes, exports) kept for download and archive."""

from __future__ import annotations

import hashlib
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
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
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
