"""Holidays and make-up working days loaded by the office for years chinese-calendar lacks."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base


class CalendarDay(Base):
    """One day that differs from the weekday/weekend default: a holiday or a make-up workday."""

    __tablename__ = "calendar_day"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column()
    name: Mapped[str] = mapped_column(String(50), default="")
    year: Mapped[int] = mapped_column(Integer, index=True)


class CalendarYear(Base):
    """A year whose holidays the office has loaded (from the State Council notice)."""

    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(255), default="")
