"""Fixture plugin (loaded by tests/conftest.py): make_badge and make_strand, a badge or a strand in one line."""
from __future__ import annotations

import pytest

from milepost.badges import services
from milepost.badges.models import Badge, Strand
from milepost.extensions import db
from tests.helpers.badges import badge_doc


@pytest.fixture
def make_strand(app):
    def make(slug: str = "agency", name: str | None = None, description: str = "") -> Strand:
        strand = services.save_strand(db.session, None, slug=slug, name=name or slug.title(),
                                      description=description, actor=None)
        db.session.commit()
        return strand

    return make


@pytest.fixture
def make_badge(app):
    """make_badge("slug", status="published", strand="agency", prerequisites=[...], **document fields)"""

    def make(slug: str = "goal-setting", status: str = "published", **overrides) -> Badge:
        badge = services.save_badge(db.session, None, badge_doc(slug, **overrides), actor=None)
        if status in ("published", "retired"):
            services.publish(db.session, badge, actor=None)
        if status == "retired":
            services.retire(db.session, badge, actor=None)
        db.session.commit()
        return badge

    return make
