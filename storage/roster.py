"""Member units, people and who held which role when (the roster)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    or_,
    select,
)
from sqlalchemy.orm import (
    Mapped,
    Session,
    contains_eager,
    joinedload,
    mapped_column,
    relationship,
)

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
    role: Mapped[str] = mapped_column(String(10))  # a Role value: 办公室/总召集人/联络员（B角）…
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 外出: the period a liaison officer is away ([from, until)), and whether it is on now (kept
    # by the roster.away job and the 外出 command, so every query can read it without a clock)
    away_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    away_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    away: Mapped[bool] = mapped_column(default=False)
    person: Mapped[Person] = relationship(back_populates="appointments")
    unit: Mapped[Unit] = relationship()


LIAISON, DEPUTY = "联络员", "联络员（B角）"  # = handlers.core.Role.LIAISON / Role.DEPUTY
PENDING, APPROVED, REJECTED = "待审批", "已同意", "已驳回"


class LiaisonChange(Base):
    """A unit leader's request to change the unit's liaison officer (变更联络员), for the office."""

    __tablename__ = "liaison_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    mobile: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[int] = mapped_column(ForeignKey("person.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))  # the new officer
    unit: Mapped[Unit] = relationship()

    @property
    def number(self) -> str:
        return f"BG{self.id}"


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


_ON_PLATFORM = {  # an account means something only on its own platform
    "wecom": select(Person).where(Person.wecom_userid == bindparam("uid")).limit(1),
    "dingtalk": select(Person).where(Person.dingtalk_userid == bindparam("uid")).limit(1),
}
PUBLIC_ONLY = ("wechat_mp",)  # Official Account followers are never roster members
_SERVING_ON = {  # a platform account's current appointments with their person and unit at once
    channel: select(Appointment)
    .join(Appointment.person)
    .where(column == bindparam("uid"), Appointment.ended_at.is_(None))
    .options(contains_eager(Appointment.person), joinedload(Appointment.unit))
    .order_by(Appointment.id)
    for channel, column in (("wecom", Person.wecom_userid), ("dingtalk", Person.dingtalk_userid))
}


def member_on(session: Session, channel: str, user_id: str) -> tuple[Person | None, list]:
    """The roster member behind an account of `channel` and their current appointments (as
    `current_appointments`): one query for the usual sender, who holds an appointment."""
    stmt = _SERVING_ON.get(channel) if user_id else None
    if stmt is None:
        person = person_on(session, channel, user_id)
        return person, current_appointments(session, person.id) if person else []
    found = list(session.scalars(stmt, {"uid": user_id}).unique())
    if not found:  # nobody, or a member without a current appointment
        return person_on(session, channel, user_id), []
    return found[0].person, _with_acting(session, found)


def person_on(session: Session, channel: str, user_id: str) -> Person | None:
    """The roster member behind an account of `channel`: a DingTalk id equal to someone's WeCom
    id is not that person. The console (and tests) may use either account."""
    if not user_id or channel in PUBLIC_ONLY:
        return None
    stmt = _ON_PLATFORM.get(channel)
    if stmt is None:
        return find_person(session, user_id)
    return session.scalar(stmt, {"uid": user_id})


def find_person(session: Session, user_id: str) -> Person | None:
    """The roster member behind a platform or console user id, if any."""
    if not user_id:  # `column == None` would match everyone without that account
        return None
    return session.scalar(_FIND, {"uid": user_id})


def current_appointments(session: Session, person_id: int) -> list[Appointment]:
    """The person's appointments now. A deputy (B角) whose unit's liaison officers are all away
    also acts as the unit's liaison officer: an unsaved 联络员 appointment stands for that."""
    return _with_acting(session, list(session.scalars(_CURRENT, {"pid": person_id}).unique()))


def _with_acting(session: Session, found: list[Appointment]) -> list[Appointment]:
    deputy_units = {a.unit_id: a for a in found if a.role == DEPUTY}
    if deputy_units:
        away = _units_all_away(session, list(deputy_units))
        for unit_id in sorted(away):
            appt = deputy_units[unit_id]
            found.append(_acting(appt))
    return found


def _acting(deputy: Appointment) -> Appointment:
    """A transient 联络员 appointment for a deputy acting for the unit (never added to a session:
    Unit has no relationship back to Appointment, so nothing cascades it in)."""
    return Appointment(
        person_id=deputy.person_id,
        unit_id=deputy.unit_id,
        unit=deputy.unit,
        role=LIAISON,
        started_at=deputy.started_at,
    )


def _units_all_away(session: Session, unit_ids: list[int]) -> set[int]:
    """Of these units, those having liaison officers who are all away now."""
    rows = session.execute(
        select(Appointment.unit_id, Appointment.away).where(
            Appointment.unit_id.in_(unit_ids),
            Appointment.role == LIAISON,
            Appointment.ended_at.is_(None),
        )
    )
    state: dict[int, bool] = {}
    for unit_id, away in rows:
        state[unit_id] = state.get(unit_id, True) and bool(away)
    return {u for u, all_away in state.items() if all_away}


def holders(session: Session, unit_id: int, role: str) -> list[Person]:
    """People currently holding `role` in the unit, e.g. its liaison officers."""
    return holders_by_unit(session, [role], [unit_id])[unit_id][role]


def holders_by_unit(
    session: Session, roles: Iterable[str], unit_ids: Iterable[int] | None = None
) -> defaultdict[int, defaultdict[str, list[Person]]]:
    """unit id -> role -> the people currently holding it (each once, by id), in one query however
    many units; all units when `unit_ids` is None. Missing units and roles read as empty lists.

    While all of a unit's liaison officers are away (外出), its deputy (B角) is among its liaison
    officers too, after them: every push meant for the unit's liaison officers reaches the deputy.
    """
    found: defaultdict[int, defaultdict[str, list[Person]]] = defaultdict(lambda: defaultdict(list))
    wanted = [str(r) for r in roles]
    asked = [*wanted, DEPUTY] if LIAISON in wanted and DEPUTY not in wanted else wanted
    stmt = (
        select(Appointment.unit_id, Appointment.role, Appointment.away, Person)
        .join(Person, Person.id == Appointment.person_id)
        .where(Appointment.role.in_(asked), Appointment.ended_at.is_(None))
        .order_by(Person.id)
    )
    if unit_ids is not None:
        ids = list(unit_ids)
        if not ids:
            return found
        stmt = stmt.where(Appointment.unit_id.in_(ids))
    deputies: defaultdict[int, list[Person]] = defaultdict(list)
    present: set[int] = set()  # units with a liaison officer who is not away
    for unit_id, role, away, person in session.execute(stmt):
        if role == LIAISON and not away:
            present.add(unit_id)
        if role not in wanted:
            deputies[unit_id].append(person)
            continue
        people = found[unit_id][role]
        if person not in people:
            people.append(person)
    for unit_id, people in deputies.items():
        officers = found[unit_id][LIAISON] if unit_id in found else []
        if officers and unit_id not in present:
            officers.extend(p for p in people if p not in officers)
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


def refresh_away(session: Session, now: datetime) -> list[Appointment]:
    """Turn each liaison officer's `away` on or off by their 外出 period at `now`; the changed."""
    stmt = select(Appointment).where(
        Appointment.role == LIAISON,
        Appointment.ended_at.is_(None),
        or_(Appointment.away.is_(True), Appointment.away_from.is_not(None)),
    )
    changed = []
    for appt in session.scalars(stmt):
        away = is_away(appt, now)
        if appt.away != away:
            appt.away = away
            changed.append(appt)
        if appt.away_until is not None and appt.away_until <= now:
            appt.away_from = appt.away_until = None  # over: forget the period
    session.flush()
    return changed


def is_away(appt: Appointment, now: datetime) -> bool:
    if appt.away_from is None or appt.away_until is None:
        return False
    return appt.away_from <= now < appt.away_until


def deputies_of(session: Session, unit_ids: Iterable[int]) -> dict[int, list[Person]]:
    """unit id -> its current deputies (B角)."""
    held = holders_by_unit(session, [DEPUTY], unit_ids)
    return {u: list(held[u][DEPUTY]) for u in held}


def pending_change(session: Session, unit_id: int) -> LiaisonChange | None:
    stmt = select(LiaisonChange).where(
        LiaisonChange.unit_id == unit_id, LiaisonChange.status == PENDING
    )
    return session.scalar(stmt.order_by(LiaisonChange.id.desc()).limit(1))


def person_by_mobile(session: Session, mobile: str) -> Person | None:
    if not mobile:
        return None
    return session.scalar(
        select(Person).where(Person.mobile == mobile).order_by(Person.id).limit(1)
    )
