"""Whose an award is: only its earner changes their choices for it (their name hidden on its public page,
being listed as a go-to colleague) and sees what the earner alone is shown. The points and credentials
pages ask here."""
from __future__ import annotations

from milepost.awards.models import Award


def is_holder(user, award: Award | None) -> bool:
    return (award is not None and user is not None and getattr(user, "is_authenticated", False)
            and user.id == award.user_id)
