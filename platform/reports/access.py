"""Who may read which report. Views, CSV downloads and the CLI ask here.

Scope of a coach: their own school, plus the school of every PLC they belong to or facilitate
(district-wide PLCs have no school and add none). Reviews do not scope coaches by school (any coach
may take a coach stage; the earner's school only orders the list), so this rule is the reports'
own; it is the school-level form of notifications.receivers.coaches_of (a teacher's coaches are the
coaches at their school and the facilitators of their PLCs)."""
from __future__ import annotations

from sqlalchemy import or_, select, union

from milepost.accounts.models import PLC, PLCMembership, User
from milepost.core.access import STAFF_ROLES, Role
from milepost.core.errors import NotAllowed

DISTRICT_ROLES = (Role.PD_ADMIN, Role.SITE_ADMIN, Role.LEADER)   # the whole district
DASHBOARD_ROLES = DISTRICT_ROLES + (Role.COACH,)                 # coaches: their schools only
RECORD_ROLES = STAFF_ROLES                                       # one teacher's record, credit hours
AUDIT_ROLES = (Role.SITE_ADMIN,)


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def sees_district(user) -> bool:
    return _signed_in(user) and user.has_role(*DISTRICT_ROLES)


def can_read_dashboard(user) -> bool:
    return _signed_in(user) and user.has_role(*DASHBOARD_ROLES)


def coach_school_ids(session, user) -> frozenset[int]:
    """The schools a coach reports on (see the module's note), in one query."""
    member_of = select(PLCMembership.plc_id).where(PLCMembership.user_id == user.id)
    plc_schools = select(PLC.school_id.label("school_id")).where(
        PLC.school_id.is_not(None), or_(PLC.facilitator_id == user.id, PLC.id.in_(member_of)))
    own = select(User.school_id.label("school_id")).where(User.id == user.id, User.school_id.is_not(None))
    return frozenset(session.scalars(union(own, plc_schools)).all())


def school_scope(session, user) -> frozenset[int] | None:
    """None for the whole district; otherwise the only schools this person may see."""
    if sees_district(user):
        return None
    if _signed_in(user) and user.has_role(Role.COACH):
        return coach_school_ids(session, user)
    raise NotAllowed("Reports are for the PD office, district leaders and coaches.")


def check_school(scope: frozenset[int] | None, school_id: int | None) -> None:
    """A coach asking for a school outside their scope is refused (403), not shown an empty page."""
    if school_id and scope is not None and school_id not in scope:
        raise NotAllowed("You can see reports for your own schools only.")


def can_read_records(user) -> bool:
    """One teacher's badges, hours, points and degree; credit-hours exports and statements."""
    return _signed_in(user) and user.has_role(*RECORD_ROLES)


def can_read_record(user, person) -> bool:
    """This person's record or credit-hours statement: whoever reads records reads anyone's, since the PD
    office answers HR and licensure questions for the whole district (coaches and leaders read none)."""
    return person is not None and can_read_records(user)


def can_read_audit(user) -> bool:
    return _signed_in(user) and user.has_role(*AUDIT_ROLES)
