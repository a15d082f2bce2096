"""Review helpers: the people of a review school, a submission read afresh, its files, and review answers."""
from __future__ import annotations

from dataclasses import dataclass

from milepost.accounts.models import PLC, School, User
from milepost.evidence.models import EvidenceItem, Submission
from milepost.extensions import db
from milepost.reviews import services


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
                                    scores={0: {"glow": "Clear", "grow": "Track"},
                                            1: {"glow": "Honest", "grow": "More"}})
    return services.ReviewInput(decision=decision, feedback=feedback, private_note=note,
                                scores={0: {"level": level, "comment": "c0"}, 1: {"level": level, "comment": "c1"}})
