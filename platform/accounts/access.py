"""Who may manage the district's people, schools, PLCs and rosters, and what they may do to whom.
The admin pages, the home cards and accounts.services ask here."""
from __future__ import annotations

from milepost.core.access import STAFF_ROLES

MANAGER_ROLES = STAFF_ROLES  # the PD office and site administrators: people, schools, PLCs, roster import


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_manage_people(user) -> bool:
    return _signed_in(user) and user.has_role(*MANAGER_ROLES)


def may_deactivate(actor, person) -> bool:
    """Nobody deactivates their own account (a command, with no actor, may deactivate anyone)."""
    return actor is None or person.id != actor.id
