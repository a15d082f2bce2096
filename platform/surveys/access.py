"""Who may do what with pilots and surveys. Every view asks here; the tests go route by route."""
from __future__ import annotations

from milepost.core.access import STAFF_ROLES
from milepost.core.errors import NotAllowed
from milepost.surveys import services
from milepost.surveys.models import Survey

MANAGER_ROLES = STAFF_ROLES                      # build surveys, run pilots, export
RESULT_ROLES = STAFF_ROLES + ("leader",)        # read results and pilot dashboards


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_manage(user) -> bool:
    return _signed_in(user) and user.has_role(*MANAGER_ROLES)


def can_read_results(user) -> bool:
    return _signed_in(user) and user.has_role(*RESULT_ROLES)


def sees_names(user, survey: Survey) -> bool:
    """Names beside written answers: identified surveys, and only for the PD office. Leaders read
    results but never an identified person's answers; anonymous surveys never show a name."""
    return not survey.anonymous and can_manage(user)


def can_export(user) -> bool:
    return can_manage(user)


def check_may_take(session, user, survey: Survey) -> None:
    """Refuses (403) anyone outside the survey's audience, and drafts to everyone."""
    if survey.status != "published" or not services.in_audience(session, user, survey):
        raise NotAllowed("This survey is for a different group of people.")


def can_preview(user) -> bool:
    return can_manage(user)
