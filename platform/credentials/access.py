"""Who may see what of a credential and of learning records. Anyone may verify an award: its public page,
documents and images; the earner alone is shown the revocation reason and the share links, and the earner's
choice decides whether others see their name and what the badge took. Each person downloads their own
learning record; the PD office records requests for anyone's and downloads them, and sets badge validity;
site administrators set the issuer identity and the signing keys. The views ask here."""
from __future__ import annotations

from milepost.awards import access as awards_access
from milepost.awards.models import Award, AwardStatus
from milepost.core.access import STAFF_ROLES, Role

ISSUER_ROLES = (Role.SITE_ADMIN,)  # the issuer identity and the signing keys
OFFICE_ROLES = STAFF_ROLES         # learning records on request, badge validity periods


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_earner(user, award: Award) -> bool:
    return awards_access.is_holder(user, award)


def can_see_earner(user, award: Award) -> bool:
    """The earner's name and the badge's criteria on the public page: unless the earner made it private."""
    return not award.private or is_earner(user, award)


def can_share(user, award: Award) -> bool:
    """The share links: the earner, while the award is valid."""
    return is_earner(user, award) and award.status == AwardStatus.VALID


def can_manage_issuer(user) -> bool:
    return _signed_in(user) and user.has_role(*ISSUER_ROLES)


def can_handle_record_requests(user) -> bool:
    return _signed_in(user) and user.has_role(*OFFICE_ROLES)


def can_view_outside(user, row) -> bool:
    """A brought credential: its teacher, the PD office, and whoever may see the submission it is evidence for."""
    if not _signed_in(user):
        return False
    if user.id == row.user_id or user.has_role(*OFFICE_ROLES):
        return True
    if row.submission_id is None:
        return False
    from milepost.evidence import access as evidence_access
    from milepost.evidence.models import Submission
    from milepost.extensions import db

    submission = db.session.get(Submission, row.submission_id)
    return submission is not None and evidence_access.can_view_submission(user, submission)
