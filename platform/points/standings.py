"""Pre-aggregated leaderboard totals: per person on their points account, and per school and
PLC, the points and badges of all time, of the current month and of the current school year.

They move in the same transaction as what they summarise: a ledger entry (`add_credit`, called by
points.services.credit), a membership that starts or ends, a person who changes school or is
(de)activated (mapper events registered by `listen`). `rebuild` recomputes everything from the
ledger and the memberships (the migration, the generator, `milepost points verify --repair`) and
`check` lists every stored figure that differs from that recomputation.

A period's figures carry the first day of the period they count for; figures stamped with an earlier
period count as zero, so nothing has to run when a month or a school year begins."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import bindparam, case, event, func, insert, inspect, select, update

from milepost.core.model import utcnow
from milepost.points.models import EntryKind, LedgerEntry, PLCTotals, PointsAccount, SchoolTotals

PERIODS = ("month", "year")
SCHOOL_YEAR_STARTS = 8  # the month a school year starts in (1 August): the leaderboards', the reports', the demo's


def school_year_of(day: date | datetime) -> int:
    """The calendar year a school year starts in (2025 for 2025-26)."""
    return day.year if day.month >= SCHOOL_YEAR_STARTS else day.year - 1


def month_start(now: datetime) -> date:
    return date(now.year, now.month, 1)


def year_start(now: datetime) -> date:
    return date(school_year_of(now), SCHOOL_YEAR_STARTS, 1)


def starts(now: datetime | None = None) -> dict[str, date]:
    now = now or utcnow()
    return {"month": month_start(now), "year": year_start(now)}


def badge_delta(kind: str) -> int:
    return 1 if kind == EntryKind.AWARD else -1 if kind == EntryKind.REVERSAL else 0


@dataclass
class Delta:
    """What to add: all time, this month, this school year (points, badges)."""

    points: int = 0
    badges: int = 0
    month_points: int = 0
    month_badges: int = 0
    year_points: int = 0
    year_badges: int = 0
    members: int = 0

    @classmethod
    def of_entry(cls, amount: int, kind: str) -> Delta:
        b = badge_delta(kind)
        return cls(amount, b, amount, b, amount, b)

    def scaled(self, sign: int) -> Delta:
        return Delta(*(sign * v for v in (self.points, self.badges, self.month_points, self.month_badges,
                                           self.year_points, self.year_badges, self.members)))


def _period_values(model, delta: Delta, now: datetime) -> dict:
    """SET clauses adding `delta` to the current periods: a stale period restarts from zero."""
    values = {}
    for period, start in starts(now).items():
        stamp = getattr(model, f"{period}_start")
        current = stamp == start
        for what in ("points", "badges"):
            column = getattr(model, f"{period}_{what}")
            values[column.key] = case((current, column), else_=0) + getattr(delta, f"{period}_{what}")
        values[stamp.key] = start
    return values


def add_credit(session, user_id: int, amount: int, kind: str, now: datetime) -> None:
    """A ledger entry of `user_id` was written: move their account and their school and PLCs.

    The account row is updated first: on PostgreSQL its row lock orders this against a membership
    change of the same person, whose handler locks the same row before reading it."""
    from milepost.accounts.models import PLCMembership, User

    delta = Delta.of_entry(int(amount), kind)
    session.execute(update(PointsAccount).where(PointsAccount.user_id == user_id).values(
        balance=PointsAccount.balance + delta.points, badges=PointsAccount.badges + delta.badges,
        updated_at=now, **_period_values(PointsAccount, delta, now)))
    group = _group_values(SchoolTotals, delta, now)
    session.execute(update(SchoolTotals).where(SchoolTotals.school_id == select(User.school_id).where(
        User.id == user_id, User.active.is_(True)).scalar_subquery()).values(**group))
    session.execute(update(PLCTotals).where(PLCTotals.plc_id.in_(
        select(PLCMembership.plc_id).where(PLCMembership.user_id == user_id))).values(
        **_group_values(PLCTotals, delta, now)))


def _group_values(model, delta: Delta, now: datetime) -> dict:
    """SET clauses for a group: the totals, the members, and the points per member of each period,
    written from the row's old values (as an UPDATE reads them) so they match the new totals exactly."""
    members = model.members + delta.members

    def per(points):
        return case((members > 0, points * 1.0 / members), else_=0.0)

    values = {"points": model.points + delta.points, "badges": model.badges + delta.badges,
              "per_member": per(model.points + delta.points)}
    if delta.members:
        values["members"] = members
    values.update(_period_values(model, delta, now))
    for period, start in starts(now).items():
        current = getattr(model, f"{period}_start") == start
        points = case((current, getattr(model, f"{period}_points")), else_=0) + getattr(delta, f"{period}_points")
        values[f"{period}_per_member"] = per(points)
    return values


def per_member(points: int, members: int) -> float:
    return points * 1.0 / members if members > 0 else 0.0


def _contribution(connection, user_id: int, now: datetime) -> Delta:
    """What one member brings to a group: their account's totals, locked against a concurrent credit."""
    A = PointsAccount
    row = connection.execute(select(A.balance, A.badges, A.month_start, A.month_points, A.month_badges,
                                    A.year_start, A.year_points, A.year_badges)
                             .where(A.user_id == user_id).with_for_update()).first()
    if row is None:
        return Delta(members=1)
    current = starts(now)
    month = row.month_start == current["month"]
    year = row.year_start == current["year"]
    return Delta(row.balance, row.badges, row.month_points if month else 0, row.month_badges if month else 0,
                 row.year_points if year else 0, row.year_badges if year else 0, members=1)


def _ensure_row(connection, model, key: str, group_id: int) -> None:
    exists = connection.execute(select(getattr(model, key)).where(getattr(model, key) == group_id)).first()
    if exists is None:
        connection.execute(insert(model).values(**{key: group_id}, members=0, points=0, badges=0, month_points=0,
                                                month_badges=0, year_points=0, year_badges=0, per_member=0.0,
                                                month_per_member=0.0, year_per_member=0.0))


def _move(connection, user_id: int, sign: int, *, school_id: int | None = None, plc_id: int | None = None) -> None:
    now = utcnow()
    delta = _contribution(connection, user_id, now).scaled(sign)
    if school_id is not None:
        _ensure_row(connection, SchoolTotals, "school_id", school_id)
        connection.execute(update(SchoolTotals).where(SchoolTotals.school_id == school_id)
                           .values(**_group_values(SchoolTotals, delta, now)))
    if plc_id is not None:
        _ensure_row(connection, PLCTotals, "plc_id", plc_id)
        connection.execute(update(PLCTotals).where(PLCTotals.plc_id == plc_id)
                           .values(**_group_values(PLCTotals, delta, now)))


# --------------------------------------------------------------------------- membership changes


def _counted_school(school_id, active) -> int | None:
    return school_id if active and school_id is not None else None


def _first(history, fallback):
    return history.deleted[0] if history.deleted else fallback


def _user_inserted(_mapper, connection, user) -> None:
    school = _counted_school(user.school_id, user.active)
    if school is not None:
        _move(connection, user.id, +1, school_id=school)


def _user_updated(_mapper, connection, user) -> None:
    state = inspect(user)
    old = _counted_school(_first(state.attrs.school_id.history, user.school_id),
                          _first(state.attrs.active.history, user.active))
    new = _counted_school(user.school_id, user.active)
    if old == new:
        return
    if old is not None:
        _move(connection, user.id, -1, school_id=old)
    if new is not None:
        _move(connection, user.id, +1, school_id=new)


def _user_deleted(_mapper, connection, user) -> None:
    school = _counted_school(user.school_id, user.active)
    if school is not None:
        _move(connection, user.id, -1, school_id=school)


def _membership_added(_mapper, connection, membership) -> None:
    _move(connection, membership.user_id, +1, plc_id=membership.plc_id)


def _membership_removed(_mapper, connection, membership) -> None:
    _move(connection, membership.user_id, -1, plc_id=membership.plc_id)


def _group_added(model, key):
    def added(_mapper, connection, group) -> None:
        _ensure_row(connection, model, key, group.id)
    return added


_school_added = _group_added(SchoolTotals, "school_id")
_plc_added = _group_added(PLCTotals, "plc_id")


def listen() -> None:
    """Keep the group totals in step with every change made through the ORM (once per process).
    Bulk Core writes (the generator, migrations) call `rebuild` instead."""
    from milepost.accounts.models import PLC, PLCMembership, School, User

    for target, name, fn in ((User, "after_insert", _user_inserted), (User, "after_update", _user_updated),
                             (User, "before_delete", _user_deleted),
                             (PLCMembership, "after_insert", _membership_added),
                             (PLCMembership, "before_delete", _membership_removed),
                             (School, "after_insert", _school_added), (PLC, "after_insert", _plc_added)):
        if not event.contains(target, name, fn):
            event.listen(target, name, fn)


# --------------------------------------------------------------------------- recomputing


def _period_sum(column, since: date, what: str):
    from datetime import time

    moment = datetime.combine(since, time(0), tzinfo=UTC)
    value = LedgerEntry.amount if what == "points" else case(
        (LedgerEntry.kind == EntryKind.AWARD, 1), (LedgerEntry.kind == EntryKind.REVERSAL, -1), else_=0)
    return func.coalesce(func.sum(case((column >= moment, value), else_=0)), 0)


def expected_accounts(session, now: datetime | None = None) -> dict[int, tuple]:
    """Per person with ledger entries, from the ledger: (balance, badges, month points, month badges,
    year points, year badges) for the periods containing `now`."""
    current = starts(now)
    E = LedgerEntry
    rows = session.execute(select(
        E.user_id, func.coalesce(func.sum(E.amount), 0),
        func.coalesce(func.sum(case((E.kind == EntryKind.AWARD, 1), (E.kind == EntryKind.REVERSAL, -1), else_=0)), 0),
        _period_sum(E.created_at, current["month"], "points"), _period_sum(E.created_at, current["month"], "badges"),
        _period_sum(E.created_at, current["year"], "points"), _period_sum(E.created_at, current["year"], "badges"))
        .group_by(E.user_id)).all()
    return {r[0]: tuple(int(v) for v in r[1:]) for r in rows}


def stored_accounts(session, now: datetime | None = None) -> dict[int, tuple]:
    current = starts(now)
    A = PointsAccount
    out = {}
    for r in session.execute(select(A.user_id, A.balance, A.badges, A.month_start, A.month_points, A.month_badges,
                                    A.year_start, A.year_points, A.year_badges)):
        month, year = r.month_start == current["month"], r.year_start == current["year"]
        out[r.user_id] = (r.balance, r.badges, r.month_points if month else 0, r.month_badges if month else 0,
                          r.year_points if year else 0, r.year_badges if year else 0)
    return out


def expected_groups(session, accounts: dict[int, tuple]) -> dict[tuple[str, int], tuple]:
    """Per school and PLC: (members, the six totals summed over the members' accounts, and the points per
    member of all time, the month and the year)."""
    from milepost.accounts.models import PLC, PLCMembership, School, User

    zero = (0,) * 6
    groups = {("school", sid): [0] * 7 for sid in session.scalars(select(School.id))}
    groups.update({("plc", pid): [0] * 7 for pid in session.scalars(select(PLC.id))})
    members = [(("school", sid), uid) for sid, uid in session.execute(
        select(User.school_id, User.id).where(User.school_id.is_not(None), User.active.is_(True)))]
    members += [(("plc", pid), uid) for pid, uid in session.execute(select(PLCMembership.plc_id,
                                                                           PLCMembership.user_id))]
    for key, uid in members:
        totals = groups[key]
        totals[0] += 1
        for i, v in enumerate(accounts.get(uid, zero), start=1):
            totals[i] += v
    return {k: tuple(v) + (per_member(v[1], v[0]), per_member(v[3], v[0]), per_member(v[5], v[0]))
            for k, v in groups.items()}


def stored_groups(session, now: datetime | None = None) -> dict[tuple[str, int], tuple]:
    current = starts(now)
    out = {}
    for kind, model, key in (("school", SchoolTotals, SchoolTotals.school_id), ("plc", PLCTotals, PLCTotals.plc_id)):
        for r in session.execute(select(key, model.members, model.points, model.badges, model.month_start,
                                        model.month_points, model.month_badges, model.year_start, model.year_points,
                                        model.year_badges, model.per_member, model.month_per_member,
                                        model.year_per_member)):
            month, year = r.month_start == current["month"], r.year_start == current["year"]
            out[(kind, r[0])] = (r.members, r.points, r.badges, r.month_points if month else 0,
                                 r.month_badges if month else 0, r.year_points if year else 0,
                                 r.year_badges if year else 0, r.per_member, r.month_per_member if month else 0.0,
                                 r.year_per_member if year else 0.0)
    return out


def check(session, now: datetime | None = None) -> list[str]:
    """Every stored total that differs from the ledger and the memberships, in words."""
    now = now or utcnow()
    expected = expected_accounts(session, now)
    stored = stored_accounts(session, now)
    zero = (0,) * 6
    labels = ("balance", "badges", "month points", "month badges", "year points", "year badges")
    problems = []
    for uid in sorted(set(expected) | set(stored)):
        want, have = expected.get(uid, zero), stored.get(uid, zero)
        # Balances are points.services.verify's (same wording as before these totals existed).
        for label, w, h in list(zip(labels, want, have, strict=True))[1:]:
            if w != h:
                problems.append(f"user {uid}: {label} stored {h}, ledger {w}")
    # Groups are checked against the ledger's figures, so one wrong account is reported once, above.
    group_labels = ("members",) + ("points", "badges") + labels[2:] + (
        "points per member", "month points per member", "year points per member")
    want_groups, have_groups = expected_groups(session, expected), stored_groups(session, now)
    for key in sorted(set(want_groups) | set(have_groups)):
        want, have = want_groups.get(key), have_groups.get(key)
        if have is None:
            problems.append(f"{key[0]} {key[1]}: no totals row")
            continue
        if want is None:
            continue  # the group is gone; its row went with it (ON DELETE CASCADE)
        for label, w, h in zip(group_labels, want, have, strict=True):
            if (abs(w - h) > 1e-9) if isinstance(w, float) else w != h:
                problems.append(f"{key[0]} {key[1]}: {label} stored {h}, expected {w}")
    return problems


def rebuild(session, now: datetime | None = None) -> None:
    """Recompute every account's totals from the ledger and every group's from the accounts, in bulk
    (a few statements and two executemany batches, whatever the size)."""
    from milepost.accounts.models import PLC, School

    now = now or utcnow()
    current = starts(now)
    accounts = expected_accounts(session, now)
    have = set(session.scalars(select(PointsAccount.user_id)))
    missing = [uid for uid in accounts if uid not in have]
    if missing:
        session.execute(insert(PointsAccount), [{"user_id": uid, "balance": 0, "badges": 0, "month_points": 0,
                                                 "month_badges": 0, "year_points": 0, "year_badges": 0,
                                                 "leaderboard_opt_in": False, "updated_at": now}
                                                for uid in missing])
    zero = (0,) * 6
    rows = [{"uid": uid, "all_p": t[0], "all_b": t[1], "mp": t[2], "mb": t[3], "yp": t[4], "yb": t[5]}
            for uid in have | set(accounts) for t in [accounts.get(uid, zero)]]
    A = PointsAccount.__table__
    if rows:
        session.execute(A.update().where(A.c.user_id == bindparam("uid")).values(
            balance=bindparam("all_p"), badges=bindparam("all_b"), month_start=current["month"],
            month_points=bindparam("mp"), month_badges=bindparam("mb"), year_start=current["year"],
            year_points=bindparam("yp"), year_badges=bindparam("yb")), rows)
    groups = expected_groups(session, accounts)
    for kind, model, key, _parent in (("school", SchoolTotals, "school_id", School), ("plc", PLCTotals, "plc_id", PLC)):
        table = model.__table__
        session.execute(table.delete())
        values = [{key: gid, "members": t[0], "points": t[1], "badges": t[2], "month_start": current["month"],
                   "month_points": t[3], "month_badges": t[4], "year_start": current["year"], "year_points": t[5],
                   "year_badges": t[6], "per_member": t[7], "month_per_member": t[8], "year_per_member": t[9]}
                  for (k, gid), t in groups.items() if k == kind]
        if values:
            session.execute(table.insert(), values)
    session.expire_all()
