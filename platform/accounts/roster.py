"""Roster import: a CSV of people checked row by row, then imported whole or not at all.

Columns: name, email, school, roles, plcs. Roles and PLCs are separated by semicolons;
roles default to teacher. Schools and PLCs named in the file are created when missing.
Rows add roles and PLC memberships but never take any away, so importing the same file
again, or a partial roster, changes nothing that is already there."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select

from milepost.accounts import access
from milepost.accounts.models import PLC, PLCMembership, School, User
from milepost.accounts.services import normalise_email
from milepost.core import audit
from milepost.core.access import ROLES, Role
from milepost.core.errors import ValidationFailed

COLUMNS = ("name", "email", "school", "roles", "plcs")
REQUIRED = ("name", "email")
ROLE_ALIASES = {"pd admin": Role.PD_ADMIN, "pd": Role.PD_ADMIN, "site admin": Role.SITE_ADMIN, "admin": Role.SITE_ADMIN}
MAX_ROWS = 20000


@dataclass
class RosterRow:
    line: int
    name: str
    email: str
    school: str
    roles: list[str]
    plcs: list[str]


@dataclass
class RosterResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    schools_created: list[str] = field(default_factory=list)
    plcs_created: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.schools_created or self.plcs_created)


def _split(cell: str) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def parse_roster(data: bytes | str) -> list[RosterRow]:
    """Every row checked; ValidationFailed lists each problem with its line number."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed("The file is not UTF-8 text. Save it from your spreadsheet as "
                                   "'CSV UTF-8' and try again.") from None
    reader = csv.DictReader(io.StringIO(data))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationFailed(
            f"The first line must name the columns; missing: {', '.join(missing)}. "
            f"Expected columns: {', '.join(COLUMNS)}.")
    reader.fieldnames = header

    rows, problems, seen = [], [], {}
    for record in reader:
        line = reader.line_num
        if len(rows) + len(problems) >= MAX_ROWS:
            problems.append(f"Line {line}: a roster may have at most {MAX_ROWS} rows; split the file.")
            break
        cells = {k: (v or "").strip() for k, v in record.items() if k in COLUMNS}
        if not any(cells.values()):
            continue  # blank line
        reasons = []
        name = cells.get("name", "")
        if not name:
            reasons.append("the name is empty")
        elif len(name) > 120:
            reasons.append("the name is longer than 120 characters")
        email = ""
        try:
            email = normalise_email(cells.get("email", ""))
        except ValidationFailed:
            reasons.append(f"the email {cells.get('email', '')!r} is not a valid address")
        if email and email in seen:
            reasons.append(f"{email} already appears on line {seen[email]}")
        roles = [ROLE_ALIASES.get(r.lower(), r.lower().replace(" ", "_")) for r in _split(cells.get("roles", ""))]
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            reasons.append(f"unknown role {', '.join(unknown)} (use {', '.join(ROLES)})")
        if None in record:  # more cells than the header names
            reasons.append("the row has more cells than the header")
        if reasons:
            problems.append(f"Line {line}: " + "; ".join(reasons) + ".")
            continue
        seen[email] = line
        rows.append(RosterRow(line, name, email, cells.get("school", ""), roles or [Role.TEACHER],
                              _split(cells.get("plcs", ""))))
    if problems:
        raise ValidationFailed(f"{len(problems)} row(s) need fixing; nothing was imported.", problems=problems)
    if not rows:
        raise ValidationFailed("The file has no people in it.")
    return rows


def _check_grants(rows: list[RosterRow], users: dict, actor) -> None:
    """The role-grant rule of accounts.access, row by row, before anything is written."""
    problems = []
    for row in rows:
        user = users.get(row.email)
        if user is not None and not access.may_edit_person(actor, user):
            problems.append(f"Line {row.line}: {row.email} holds a role you cannot manage, so only a site "
                            "administrator can change their account.")
            continue
        old = set(user.roles) if user is not None else set()
        reasons = access.role_change_problems(actor, old, old | set(row.roles))
        if reasons:
            problems.append(f"Line {row.line}: " + " ".join(reasons))
    if problems:
        raise ValidationFailed(f"{len(problems)} row(s) ask for something you may not do; nothing was imported.",
                               problems=problems)


def import_roster(session, data: bytes | str, *, actor: User | None = None) -> RosterResult:
    """Import the whole roster in the caller's transaction; on any problem nothing is written."""
    rows = parse_roster(data)
    result = RosterResult()
    schools = {s.name.lower(): s for s in session.scalars(select(School))}
    plcs = {(p.school_id, p.name.lower()): p for p in session.scalars(select(PLC))}
    users = {u.email: u for u in session.scalars(select(User).where(User.email.in_([r.email for r in rows])))}
    memberships = {(m.plc_id, m.user_id) for m in session.scalars(
        select(PLCMembership).where(PLCMembership.user_id.in_([u.id for u in users.values()])))}
    _check_grants(rows, users, actor)

    for row in rows:
        school = None
        if row.school:
            school = schools.get(row.school.lower())
            if school is None:
                school = schools[row.school.lower()] = School(name=row.school)
                session.add(school)
                result.schools_created.append(row.school)
        user = users.get(row.email)
        if user is None:
            user = users[row.email] = User(email=row.email, display_name=row.name, school=school, active=True)
            session.add(user)
            user.set_roles(row.roles)
            result.created.append(row.email)
            changed = False
            session.flush()
            audit.record(session, "user.created", actor=actor, target=user, email=row.email,
                         roles=sorted(row.roles), old_roles=[], source="roster")
        else:
            changed = user.display_name != row.name or (school is not None and user.school_id != school.id)
            user.display_name = row.name
            if school is not None:
                user.school = school
            if not set(row.roles) <= user.roles:
                old_roles = sorted(user.roles)
                user.set_roles(user.roles | set(row.roles))
                changed = True
                audit.record(session, "user.roles_changed", actor=actor, target=user, old_roles=old_roles,
                             roles=sorted(user.roles), source="roster")
        session.flush()
        for plc_name in row.plcs:
            # A PLC is looked for in the person's school first, then district-wide.
            key = (school.id if school else None, plc_name.lower())
            plc = plcs.get(key) or plcs.get((None, plc_name.lower()))
            if plc is None:
                plc = plcs[key] = PLC(name=plc_name, school=school)
                session.add(plc)
                session.flush()
                result.plcs_created.append(plc.label)
            if (plc.id, user.id) not in memberships:
                session.add(PLCMembership(plc_id=plc.id, user_id=user.id))
                memberships.add((plc.id, user.id))
                changed = True
        if row.email not in result.created:
            if changed:
                result.updated.append(row.email)
            else:
                result.unchanged += 1
    session.flush()
    if result.changed:
        audit.record(session, "roster.imported", actor=actor, created=len(result.created),
                     updated=len(result.updated), unchanged=result.unchanged)
    return result
