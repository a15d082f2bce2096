"""Evidence fixtures: a published badge with a text, a file and a link prompt; files of each kind."""
from __future__ import annotations

import io

import pytest

from milepost.evidence import services
from milepost.extensions import db
from tests.badges.conftest import badge_doc, make_badge  # noqa: F401 - the badge factory fixture

def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (24, 16), (30, 90, 150)).save(out, "PNG")
    return out.getvalue()


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PROMPTS = [
    {"kind": "text", "title": "Describe your class", "guidance": "Grade and subject.", "required": True},
    {"kind": "file", "title": "Upload student goal sheets", "guidance": "Remove names.", "required": True},
    {"kind": "link", "title": "Link to a short video", "guidance": "", "required": False},
]


@pytest.fixture
def badge(make_badge):
    return make_badge("goal-setting", prompts=PROMPTS)


@pytest.fixture
def teacher(make_user):
    return make_user("teacher", name="Tess Teacher")


@pytest.fixture
def submission(badge, teacher):
    sub = services.start_badge(db.session, teacher, badge)
    db.session.commit()
    return sub


def fill_in(submission, teacher, *, png_sha=None):
    """Answer every required prompt (the file from a real store is added by the caller if needed)."""
    from milepost.evidence.storage import StoredFile as Kept

    services.save_text(db.session, submission, 0, "Grade 4, 26 students, maths.", by=teacher)
    kept = Kept(sha256=png_sha or "a" * 64, size=len(PNG), mime="image/png")
    services.add_file(db.session, submission, 1, kept, "sheet.png", by=teacher, max_submission_bytes=10**9)
    services.confirm_privacy(db.session, submission, by=teacher)
    db.session.flush()
