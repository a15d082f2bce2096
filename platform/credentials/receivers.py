"""What credentials does when an award is issued (connected in milepost.credentials.init_app).

Revocation needs no receiver: the revocation list, the status-list bit and the public page all read
Award.revoked_at, which awards.services.revoke_award sets."""
from __future__ import annotations

from milepost.credentials import services


def prepare_credential(award, *, session) -> None:
    """awards' award_issued: the award's credential state and expiry."""
    services.prepare_credential(session, award)
