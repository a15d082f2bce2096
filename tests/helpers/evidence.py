"""Evidence helpers: files of each kind (PNG, PDF, HTML, SVG), a badge's three prompts, sending evidence."""
from __future__ import annotations

import io
from pathlib import Path

from milepost.evidence import services
from milepost.evidence.storage import FileStore
from milepost.extensions import db


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


def send_evidence(app, teacher, badge, *, text: str = "Grade 4, 26 students, maths.",
                  files=(("sheet.png", PNG, False), ("class.pdf", PDF, True))):
    """A submission sent as a browser would: a written answer, then each (filename, content, shows
    students) file kept in the app's real store, privacy confirmed, sent and committed."""
    store = FileStore(Path(app.config["UPLOAD_PATH"]) / "evidence")
    sub = services.start_badge(db.session, teacher, badge)
    services.save_text(db.session, sub, 0, text, by=teacher)
    for name, content, private in files:
        kept = store.save(io.BytesIO(content), filename=name, max_bytes=10 ** 7)
        services.add_file(db.session, sub, 1, kept, name, by=teacher, student_info=private,
                          max_submission_bytes=10 ** 9)
    services.confirm_privacy(db.session, sub, by=teacher)
    services.transition(db.session, sub, "submit", by=teacher)
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
