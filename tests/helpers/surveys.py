"""Survey helpers: a likert question, every question kind, and answering as a browser would (by position)."""
from __future__ import annotations

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
