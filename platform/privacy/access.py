"""Who may use the data-rights pages: each person downloads everything held about them (their own only);
site administrators remove a departed person's personal data, but never their own account's. The views
and privacy.services ask here."""
from __future__ import annotations

from milepost.core.access import Role

REMOVER_ROLES = (Role.SITE_ADMIN,)  # remove a person's personal data


def may_anonymise(actor, person) -> bool:
    return person.id != actor.id
