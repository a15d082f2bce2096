"""Review fixtures: a school with a PLC and people in every role, a chain in one line, a submission
sent with a real file (one of them marked as showing students), and signed-in clients."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from milepost.accounts.models import PLC, School, User
from milepost.evidence.models import EvidenceItem, Submission
from milepost.extensions import db
from milepost.reviews import services
from tests.badges.conftest import make_badge  # noqa: F401 - the badge factory fixture
from tests.conftest import login
from tests.evidence.conftest import PROMPTS, send_evidence


@dataclass
class People:
    school: School
    plc: PLC
    teacher: User        # the earner, in the PLC
    peer: User           # a colleague in the same PLC
    peer2: User          # another colleague in the same PLC
    outsider: User       # a teacher in no PLC of the earner's
    coach: User          # a coach of the earner's school
    coach2: User         # a coach elsewhere
    pd: User
    pd2: User


@pytest.fixture
def people(app, make_user) -> People:
    school = School(name="Maple Elementary")
    other = School(name="Oak Middle")
    plc = PLC(name="Grade 4 team", school=school)
    db.session.add_all([school, other, plc])
    db.session.commit()
    return People(
        school=school, plc=plc,
        teacher=make_user("teacher", name="Tess Teacher", school=school, plcs=[plc]),
        peer=make_user("teacher", name="Pat Peer", school=school, plcs=[plc]),
        peer2=make_user("teacher", name="Quinn Peer", school=school, plcs=[plc]),
        outsider=make_user("teacher", name="Olive Outsider", school=other),
        coach=make_user("coach", "teacher", name="Cora Coach", school=school),
        coach2=make_user("coach", "teacher", name="Cal Coach", school=other),
        pd=make_user("pd_admin", name="Dana District"),
        pd2=make_user("pd_admin", name="Drew District"),
    )


@pytest.fixture
def badge(make_badge):
    return make_badge("goal-setting", title="Goal Setting", prompts=PROMPTS)


@pytest.fixture
def use_chain(app):
    """use_chain("peer", "coach", ("district", 2)) sets the district default chain."""

    def make(*stages, scope: str = "default", badge=None):
        rows = []
        for stage in stages:
            kind, required, skip = (stage, 1, None) if isinstance(stage, str) else (tuple(stage) + (None,))[:3]
            rows.append({"kind": kind, "required_reviews": required, "skip_after_days": skip})
        chain = services.save_chain(db.session, scope, rows, by=None, badge=badge)
        db.session.commit()
        return chain

    return make


@pytest.fixture
def send(app, badge):
    """send(teacher) -> a submission of `badge` (or `which`) with a written answer, a sheet (PNG) and a class
    photo (PDF, marked as showing students)."""

    def make(teacher, which=None) -> Submission:
        return send_evidence(app, teacher, which or badge)

    return make


@pytest.fixture
def client_for(app):
    def sign_in(user):
        c = app.test_client()
        assert login(c, user.email).status_code == 302
        c.user = user
        return c

    return sign_in


def files_of(submission) -> dict[str, EvidenceItem]:
    db.session.expire_all()
    sub = db.session.get(Submission, submission.id)
    return {i.filename: i for i in sub.current_attempt.items if i.kind == "file"}


def fresh(submission) -> Submission:
    db.session.expire_all()
    return db.session.get(Submission, submission.id)


def peer_feedback(glow="Clear goals on every sheet.", grow="Show how students track progress."):
    return {"action": "submit", "glow-0": glow, "grow-0": "Add a second example.", "glow-1": "Honest reflection.",
            "grow-1": grow, "feedback": "Lovely work.", "private_note": "Peer thinks the sheets are strong."}


def scores(level=2, decision="meets", feedback="Solid evidence.", note="", action="submit"):
    return {"action": action, "level-0": str(level), "level-1": str(level), "comment-0": "Specific goals.",
            "comment-1": "Reflective.", "decision": decision, "feedback": feedback, "private_note": note}


def review_input(kind: str, decision=None, level=2, feedback="Good.", note="") -> services.ReviewInput:
    if kind == "peer":
        return services.ReviewInput(feedback=feedback, private_note=note,
                                    scores={0: {"glow": "Clear", "grow": "Track"}, 1: {"glow": "Honest", "grow": "More"}})
    return services.ReviewInput(decision=decision, feedback=feedback, private_note=note,
                                scores={0: {"level": level, "comment": "c0"}, 1: {"level": level, "comment": "c1"}})
