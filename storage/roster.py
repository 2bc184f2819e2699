"""Member units, people and who held which role when (the roster)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, bindparam, or_, select
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from storage.db import Base, UTCDateTime


class Unit(Base):
    """A member unit (成员单位) of the joint conference, e.g. 区人社局 or 马寨镇."""

    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="部门")  # 部门 / 镇街 / 管委会
    active: Mapped[bool] = mapped_column(default=True)
    demo: Mapped[bool] = mapped_column(default=False)


class Person(Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(100), default="")
    wecom_userid: Mapped[str | None] = mapped_column(String(64), unique=True)
    dingtalk_userid: Mapped[str | None] = mapped_column(String(64), unique=True)
    mobile: Mapped[str | None] = mapped_column(String(20))
    demo: Mapped[bool] = mapped_column(default=False)
    appointments: Mapped[list[Appointment]] = relationship(back_populates="person")


class Appointment(Base):
    """A person holding a role in a unit from `started_at` until `ended_at` (None = still)."""

    __tablename__ = "appointment"
    __table_args__ = (UniqueConstraint("person_id", "unit_id", "role", "started_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # Role value: 办公室/召集人/联络员/分管领导
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    person: Mapped[Person] = relationship(back_populates="appointments")
    unit: Mapped[Unit] = relationship()


_FIND = (  # one query, a WeCom account before a DingTalk one; built once for the compiled cache
    select(Person)
    .where(or_(Person.wecom_userid == bindparam("uid"), Person.dingtalk_userid == bindparam("uid")))
    .order_by((Person.wecom_userid == bindparam("uid")).desc(), Person.id)
    .limit(1)
)
_CURRENT = (
    select(Appointment)
    .where(Appointment.person_id == bindparam("pid"), Appointment.ended_at.is_(None))
    .options(joinedload(Appointment.unit))
    .order_by(Appointment.id)
)


def find_person(session: Session, user_id: str) -> Person | None:
    """The roster member behind a platform or console user id, if any."""
    if not user_id:  # `column == None` would match everyone without that account
        return None
    return session.scalar(_FIND, {"uid": user_id})


def current_appointments(session: Session, person_id: int) -> list[Appointment]:
    return list(session.scalars(_CURRENT, {"pid": person_id}).unique())


def holders(session: Session, unit_id: int, role: str) -> list[Person]:
    """People currently holding `role` in the unit, e.g. its liaison officers."""
    return holders_by_unit(session, [role], [unit_id])[unit_id][role]


def holders_by_unit(
    session: Session, roles: Iterable[str], unit_ids: Iterable[int] | None = None
) -> defaultdict[int, defaultdict[str, list[Person]]]:
    """unit id -> role -> the people currently holding it (each once, by id), in one query however
    many units; all units when `unit_ids` is None. Missing units and roles read as empty lists."""
    found: defaultdict[int, defaultdict[str, list[Person]]] = defaultdict(lambda: defaultdict(list))
    stmt = (
        select(Appointment.unit_id, Appointment.role, Person)
        .join(Person, Person.id == Appointment.person_id)
        .where(Appointment.role.in_([str(r) for r in roles]), Appointment.ended_at.is_(None))
        .order_by(Person.id)
    )
    if unit_ids is not None:
        ids = list(unit_ids)
        if not ids:
            return found
        stmt = stmt.where(Appointment.unit_id.in_(ids))
    for unit_id, role, person in session.execute(stmt):
        people = found[unit_id][role]
        if person not in people:
            people.append(person)
    return found


def people_with_role(session: Session, role: str) -> list[Person]:
    stmt = (
        select(Person)
        .join(Appointment)
        .where(Appointment.role == role, Appointment.ended_at.is_(None))
        .distinct()
        .order_by(Person.id)
    )
    return list(session.scalars(stmt))


def member_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id)))


def unit_by_name(session: Session, name: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.name == name))
