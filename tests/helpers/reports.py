"""Report helpers: the 2025-26 school year, known days, and one-line steps for the district the reports count."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import update

from milepost.accounts.models import PLC, School, User
from milepost.awards import services as award_services
from milepost.awards.models import Award
from milepost.badges import services as badge_services
from milepost.badges.models import Badge
from milepost.evidence import services as evidence
from milepost.evidence.models import Attempt, Submission
from milepost.extensions import db
from milepost.reviews import services as reviews
from milepost.reviews.models import StageVisit
from milepost.surveys.models import Pilot, Survey
from tests.helpers.evidence import PDF, PNG, send_evidence
from tests.helpers.reviews import review_input

YEAR = 2025  # the 2025-26 school year: 1 August 2025 to 31 July 2026
NOW = datetime(2026, 1, 20, 12, tzinfo=UTC)  # "today" for waiting times
YEAR_ARGS = {"year": str(YEAR)}


def at(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


@dataclass
class District:
    maple: School
    oak: School
    pine: School
    plc: PLC
    agency: object
    literacy: object
    b1: Badge   # goal-setting: agency, 3 hours, 10 points
    b2: Badge   # read-aloud: literacy, 2 hours, 20 points
    b3: Badge   # exit-tickets: no strand, 1.5 hours, 10 points
    t1: User    # Maple, in the PLC
    t2: User    # Maple
    t3: User    # Oak
    t4: User    # Pine
    coach_maple: User
    coach_far: User  # no school of their own; facilitates a PLC at Pine
    pd: User
    leader: User
    site: User
    pilot: Pilot
    survey: Survey
    subs: dict


def _times(sub: Submission, started: datetime, attempts: list[tuple[datetime, datetime | None]]) -> None:
    """Put a submission's start, each attempt's sending and decision, and its stage visits on known days."""
    db.session.execute(update(Submission).where(Submission.id == sub.id).values(created_at=started)
                       .execution_options(synchronize_session=False))
    for number, (sent, decided) in enumerate(attempts, start=1):
        db.session.execute(update(Attempt).where(Attempt.submission_id == sub.id, Attempt.number == number)
                           .values(submitted_at=sent, decided_at=decided))
        db.session.execute(update(StageVisit).where(StageVisit.submission_id == sub.id,
                                                    StageVisit.attempt_number == number)
                           .values(entered_at=sent, left_at=decided))
        if decided is not None:
            db.session.execute(update(Award).where(Award.submission_id == sub.id).values(issued_at=decided))


def _send(app, teacher, badge) -> Submission:
    """Evidence no report may show: a written answer that is a spreadsheet formula, a sheet and a class photo."""
    return send_evidence(app, teacher, badge, text="=HYPERLINK(\"http://evil.example\") my class of 26",
                         files=(("sheet.png", PNG, False), ("class-photo.pdf", PDF, True)))


def _decide(sub, coach, decision: str):
    reviews.save_review(db.session, db.session.get(Submission, sub.id),
                        review_input("coach", decision=decision, feedback="Add a second goal sheet."),
                        by=coach, submit=True)
    db.session.commit()


def _resubmit(sub, teacher):
    sub = db.session.get(Submission, sub.id)
    evidence.confirm_privacy(db.session, sub, by=teacher)
    evidence.transition(db.session, sub, "resubmit", by=teacher)
    db.session.commit()


def _direct(user, badge, when: datetime, by) -> Award:
    version = badge_services.current_version(db.session, badge)
    award, _ = award_services.issue_award(db.session, user_id=user.id, badge=badge, version=version, by=by,
                                          how="direct", note="PD day")
    db.session.commit()
    db.session.execute(update(Award).where(Award.id == award.id).values(issued_at=when))
    db.session.commit()
    return award


PERIOD = {"start": "2025-08-01", "end": "2026-07-31"}
INLINE = re.compile(r"<style|\sstyle=|<script(?![^>]*\ssrc=)")
