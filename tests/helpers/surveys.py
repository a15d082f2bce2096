"""Survey helpers: a likert question, every question kind, answering as a browser would (by position), and a
pilot with submissions in one line each."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from milepost.evidence.models import Attempt, Submission
from milepost.extensions import db
from milepost.surveys import services
from milepost.surveys.ready_made import AGREE5


def likert(prompt="I found the pilot useful.", key="useful", **extra) -> dict:
    return {"kind": "likert", "prompt": prompt, "key": key, "options": list(AGREE5), "required": True, **extra}


def answer(survey, user, values_by_position: dict, *, submit=True, now=None):
    """Save answers through the service, by question position among the asked questions."""
    asked = survey.asked
    values = {asked[i].id: v for i, v in values_by_position.items()}
    response = services.save_response(db.session, survey, user, values, submit=submit, now=now)
    db.session.commit()
    return response


RUBRIC = {"kind": "rubric", "prompt": "Readiness for change", "options": ["Starting", "Practicing", "Sustaining"],
          "indicators": ["A plan | We see the value | A written plan | Scaling", "Student ownership"], "required": True}
ALL_KINDS = [
    likert(),
    {"kind": "single", "prompt": "How often?", "options": ["Never", "Sometimes", "Often"], "required": True},
    {"kind": "multiple", "prompt": "Which supports?", "options": ["Time", "Coaching", "Examples"], "required": True},
    {"kind": "short_text", "prompt": "One word for the pilot", "required": True},
    {"kind": "long_text", "prompt": "What should change?", "required": False},
    {"kind": "number", "prompt": "Hours a month", "min_value": "0", "max_value": "40", "required": True},
    RUBRIC,
    likert("I can use the practice.", key="retro", retrospective=True),
]


START = datetime(2026, 2, 2, 9, tzinfo=UTC)


def new_pilot(teachers, reviewers=(), badges=(), **extra):
    """A pilot of 90 days around START (the day the test submissions are sent)."""
    pilot = services.save_pilot(db.session, None, name=extra.pop("name", "Goal-setting pilot"), goals="Goals",
                                starts_on=extra.pop("starts_on", START.date() - timedelta(days=1)),
                                ends_on=extra.pop("ends_on", START.date() + timedelta(days=90)),
                                teacher_ids=[t.id for t in teachers], reviewer_ids=[r.id for r in reviewers],
                                badge_ids=[b.id for b in badges], actor=None, **extra)
    db.session.commit()
    return pilot


def add_submission(teacher, badge, state, *, decided_days=None, at=START):
    """Test data straight into the tables: a submission in a given state with one attempt, started and
    sent at `at`."""
    version = badge.versions[-1]
    submission = Submission(user_id=teacher.id, badge_id=badge.id, badge_version_id=version.id, state=state,
                            created_at=at)
    attempt = Attempt(number=1)
    if state != "draft":
        submission.submitted_at = attempt.submitted_at = at
    if decided_days is not None:
        attempt.decided_at = submission.decided_at = at + timedelta(days=decided_days)
        attempt.outcome = "awarded" if state == "awarded" else "returned"
    submission.attempts.append(attempt)
    db.session.add(submission)
    db.session.commit()
    return submission
