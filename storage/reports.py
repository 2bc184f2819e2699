"""Monthly reports of the member units and the quarterly bulletins compiled from them.

A unit has one current report per month (`MonthlyReport`); every filing, the first and each
replacement, is also kept as a `ReportVersion`, so a replaced text is never lost. A `Bulletin` is
one issue: a draft has no number; publishing gives it the next 第N期 of its year, in publishing
order, and freezes it. A draft may be voided; generating the quarter again revives the row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db import Base, UTCDateTime

SECTIONS = ("工作动态", "主要活动", "重大事项进展")
SECTION_FIELDS = ("work_dynamics", "main_activities", "major_progress")


class MonthlyReport(Base):
    """A unit's current report for one month (period `YYYY-MM`)."""

    __tablename__ = "monthly_report"
    __table_args__ = (UniqueConstraint("unit_id", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    work_dynamics: Mapped[str] = mapped_column(Text)
    main_activities: Mapped[str] = mapped_column(Text)
    major_progress: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    first_filed_at: Mapped[datetime] = mapped_column(UTCDateTime())  # decides on time / late
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())  # latest version
    filed_by: Mapped[int] = mapped_column(ForeignKey("person.id"))
    late: Mapped[bool] = mapped_column(default=False)  # first filing after the deadline

    def sections(self) -> dict[str, str]:
        return {name: getattr(self, f) for name, f in zip(SECTIONS, SECTION_FIELDS, strict=True)}


class ReportVersion(Base):
    """One filing of a report, kept even after a later filing replaced it."""

    __tablename__ = "report_version"
    __table_args__ = (UniqueConstraint("report_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monthly_report.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    work_dynamics: Mapped[str] = mapped_column(Text)
    main_activities: Mapped[str] = mapped_column(Text)
    major_progress: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filed_by: Mapped[int] = mapped_column(ForeignKey("person.id"))
    late: Mapped[bool] = mapped_column(default=False)  # this filing came after the deadline


class Bulletin(Base):
    """One issue of 《联席会议工作简报》; `published_at` set = numbered and frozen."""

    __tablename__ = "bulletin"
    __table_args__ = (UniqueConstraint("year", "number"), UniqueConstraint("quarter"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(Integer)  # 第N期 in the year, given at publishing
    quarter: Mapped[str] = mapped_column(String(6))  # 2026Q3
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a draft set aside
    voided_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))


def find_report(session: Session, unit_id: int, period: str) -> MonthlyReport | None:
    stmt = select(MonthlyReport).where(
        MonthlyReport.unit_id == unit_id, MonthlyReport.period == period
    )
    return session.scalar(stmt)


def reports_for(session: Session, periods: list[str]) -> list[MonthlyReport]:
    """Reports of the given months, in roster (unit id) then month order."""
    stmt = (
        select(MonthlyReport)
        .where(MonthlyReport.period.in_(periods))
        .order_by(MonthlyReport.unit_id, MonthlyReport.period)
    )
    return list(session.scalars(stmt))


def last_filing_in(session: Session, periods: list[str]) -> datetime | None:
    """When the latest filing (first or replacement) of these months was made."""
    stmt = select(func.max(MonthlyReport.filed_at)).where(MonthlyReport.period.in_(periods))
    return session.scalar(stmt)


def filed_unit_ids(session: Session, period: str) -> set[int]:
    stmt = select(MonthlyReport.unit_id).where(MonthlyReport.period == period)
    return set(session.scalars(stmt))


def versions_of(session: Session, report_id: int) -> list[ReportVersion]:
    stmt = (
        select(ReportVersion)
        .where(ReportVersion.report_id == report_id)
        .order_by(ReportVersion.version)
    )
    return list(session.scalars(stmt))


def next_bulletin_number(session: Session, year: int) -> int:
    """The number the next published issue of `year` takes."""
    current = session.scalar(select(func.max(Bulletin.number)).where(Bulletin.year == year))
    return (current or 0) + 1


def bulletin_for_quarter(session: Session, quarter: str) -> Bulletin | None:
    return session.scalar(select(Bulletin).where(Bulletin.quarter == quarter))


def bulletin_by_number(session: Session, year: int, number: int) -> Bulletin | None:
    stmt = select(Bulletin).where(Bulletin.year == year, Bulletin.number == number)
    return session.scalar(stmt)


def all_bulletins(session: Session) -> list[Bulletin]:
    return list(session.scalars(select(Bulletin).order_by(Bulletin.quarter)))
