"""Fixture plugin (loaded by tests/conftest.py): people in every review role, a chain in one line, send, client_for."""
from __future__ import annotations

import pytest

from milepost.accounts.models import PLC, School
from milepost.evidence.models import Submission
from milepost.extensions import db
from milepost.reviews import services
from tests.helpers.app import login
from tests.helpers.evidence import send_evidence
from tests.helpers.reviews import People


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
