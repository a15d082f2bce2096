"""What points does when awards are issued or revoked (connected in milepost.points.init_app)."""
from __future__ import annotations

from milepost.points import services


def credit_award(award, *, session) -> None:
    """awards' award_issued: the badge's points on the ledger, and any degree tier it reaches."""
    services.credit_award(session, award)


def reverse_award(award, *, session) -> None:
    """awards' award_revoked: a reversing ledger entry."""
    services.reverse_award(session, award)
