"""Who may manage the district's people, schools, PLCs and rosters, and what they may do to whom.
The admin pages, the home cards, the roster import, the CLI and accounts.services ask here."""
from __future__ import annotations

from milepost.core.access import ROLE_LABELS, STAFF_ROLES, Role

MANAGER_ROLES = STAFF_ROLES  # the PD office and site administrators: people, schools, PLCs, roster import

# Who may grant, change or remove each role. The one table every way of changing roles reads (the people
# form, the roster import, the CLI, sign-in providers); docs/operators.md shows it to operators.
ROLE_GRANTORS: dict[str, tuple[str, ...]] = {
    Role.TEACHER: (Role.PD_ADMIN, Role.SITE_ADMIN),
    Role.COACH: (Role.PD_ADMIN, Role.SITE_ADMIN),
    Role.LEADER: (Role.PD_ADMIN, Role.SITE_ADMIN),
    Role.PD_ADMIN: (Role.SITE_ADMIN,),
    Role.SITE_ADMIN: (Role.SITE_ADMIN,),
}


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_manage_people(user) -> bool:
    return _signed_in(user) and user.has_role(*MANAGER_ROLES)


def may_grant(actor, role: str) -> bool:
    """May actor give or take away this role? A command run on the server (actor None) may."""
    return actor is None or actor.has_role(*ROLE_GRANTORS.get(role, ()))


def grantable_roles(actor) -> list[str]:
    return [role for role in ROLE_GRANTORS if may_grant(actor, role)]


def role_change_problems(actor, old, new) -> list[str]:
    """One reason per role in the change from old to new roles that actor may not grant or remove."""
    problems = []
    for role in sorted(set(new) - set(old)):
        if not may_grant(actor, role):
            problems.append(f"Only a {_grantors(role)} can give the {ROLE_LABELS.get(role, role)} role.")
    for role in sorted(set(old) - set(new)):
        if not may_grant(actor, role):
            problems.append(f"Only a {_grantors(role)} can take away the {ROLE_LABELS.get(role, role)} role.")
    return problems


def _grantors(role: str) -> str:
    return " or ".join(ROLE_LABELS[r].lower() for r in ROLE_GRANTORS.get(role, ()))


def may_edit_person(actor, person) -> bool:
    """Someone's account (email, name, roles, deactivation) is changed only by those who may grant every
    role it holds, so the PD office cannot touch a site administrator's or another PD admin's account;
    people may always edit their own (their own roles stay under the table above)."""
    if actor is None or person is None or person.id is None or person.id == actor.id:
        return True
    return all(may_grant(actor, role) for role in person.roles)


def may_deactivate(actor, person) -> bool:
    """Nobody deactivates their own account (a command, with no actor, may deactivate anyone)."""
    return actor is None or (person.id != actor.id and may_edit_person(actor, person))
