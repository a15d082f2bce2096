"""Evidence shown in the review page: byte ranges on the file route (206, the right bytes, 416, the same
access rules), video and audio players, images inline, a PDF as images of its pages (never the PDF itself
as active content), Office documents as labelled downloads."""
from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from milepost.evidence.models import EvidenceItem
from milepost.extensions import db
from tests.helpers.evidence import PNG, send_evidence

# An MP4 and a phone's QuickTime movie as the store types them from their first bytes (ftyp box), padded
# with a counting pattern so any byte range can be checked.
BODY = bytes(range(256)) * 400
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + BODY
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + BODY


def pdf_of(*colours) -> bytes:
    pages = [Image.new("RGB", (200, 300), c) for c in colours]
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:])
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture
def media(app, people, use_chain, badge):
    use_chain("coach")
    sub = send_evidence(app, people.teacher, badge, files=(
        ("lesson.mp4", MP4, False), ("phone.mov", MOV, True), ("plan.pdf", pdf_of((200, 30, 30), (30, 30, 200)), False),
        ("notes.docx", docx(), False), ("sheet.png", PNG, False)))
    return sub, {i.filename: i for i in db.session.scalars(db.select(EvidenceItem)) if i.kind == "file"}


def test_a_range_request_gets_206_and_exactly_those_bytes(people, media, client_for):
    _sub, files = media
    coach = client_for(people.coach)
    url = f"/evidence/files/{files['lesson.mp4'].id}"
    whole = coach.get(url)
    assert whole.status_code == 200 and whole.data == MP4 and whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Disposition"].startswith("inline") and whole.mimetype == "video/mp4"
    part = coach.get(url, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.data == MP4[100:1100]
    assert part.headers["Content-Range"] == f"bytes 100-1099/{len(MP4)}" and part.headers["Content-Length"] == "1000"
    tail = coach.get(url, headers={"Range": "bytes=-24"})
    assert tail.status_code == 206 and tail.data == MP4[-24:]
    open_ended = coach.get(url, headers={"Range": f"bytes={len(MP4) - 10}-"})
    assert open_ended.status_code == 206 and open_ended.data == MP4[-10:]
    # Outside the file: 416 with the file's length, nothing of its content.
    beyond = coach.get(url, headers={"Range": f"bytes={len(MP4) + 5}-{len(MP4) + 50}"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{len(MP4)}"
    assert MP4[:50] not in beyond.data
    # A header that is not a byte range is ignored: the whole file, as without one.
    nonsense = coach.get(url, headers={"Range": "lines=1-2"})
    assert nonsense.status_code == 200 and nonsense.data == MP4


def test_a_range_is_refused_to_someone_who_may_not_see_the_file(app, people, media, client_for, make_user):
    _sub, files = media
    for who in (people.outsider, people.peer, make_user("leader")):  # colleagues not reviewing it, a leader
        response = client_for(who).get(f"/evidence/files/{files['lesson.mp4'].id}", headers={"Range": "bytes=0-99"})
        assert response.status_code == 404 and MP4[:100] not in response.data, who.display_name
    # The PD office sees the submission, but never an item marked as showing students.
    pd = client_for(people.pd)
    assert pd.get(f"/evidence/files/{files['lesson.mp4'].id}", headers={"Range": "bytes=0-9"}).status_code == 206
    assert pd.get(f"/evidence/files/{files['phone.mov'].id}", headers={"Range": "bytes=0-9"}).status_code == 404
    anonymous = app.test_client().get(f"/evidence/files/{files['lesson.mp4'].id}", headers={"Range": "bytes=0-9"})
    assert anonymous.status_code == 302


def test_the_review_page_plays_video_and_audio_and_shows_images_and_pdf_pages(people, media, client_for):
    sub, files = media
    page = client_for(people.coach).get(f"/reviews/{sub.id}").get_data(as_text=True)
    video, mov = files["lesson.mp4"].id, files["phone.mov"].id
    assert f'<source src="/evidence/files/{video}" type="video/mp4">' in page
    assert f'<source src="/evidence/files/{mov}" type="video/mp4">' in page  # QuickTime played as MP4
    assert 'controls preload="metadata"' in page
    assert f'<img src="/evidence/files/{files["sheet.png"].id}" alt="sheet.png"' in page
    pdf = files["plan.pdf"].id
    assert f'src="/evidence/files/{pdf}/pages/1.png" alt="Page 1 of 2 of plan.pdf"' in page
    assert f'src="/evidence/files/{pdf}/pages/2.png"' in page and f"/evidence/files/{pdf}/pages/3.png" not in page
    assert "<iframe" not in page and "<embed" not in page and "<object" not in page
    # The Office document is a labelled download.
    assert f'href="/evidence/files/{files["notes.docx"].id}?download=1" download>notes.docx</a>' in page
    assert "(Word document, 0.0 MB: download to open it)" in page


def test_pdf_pages_are_rendered_images_with_the_same_access_rules(app, people, media, client_for):
    _sub, files = media
    pdf = files["plan.pdf"]
    coach = client_for(people.coach)
    first = coach.get(f"/evidence/files/{pdf.id}/pages/1.png")
    assert first.status_code == 200 and first.mimetype == "image/png" and first.data.startswith(b"\x89PNG")
    assert "sandbox" in first.headers["Content-Security-Policy"]
    image = Image.open(io.BytesIO(first.data)).convert("RGB")
    # A 200-point-wide page is drawn at the largest scale allowed (4x), not blown up to the full 1100 pixels.
    assert image.size == (800, 1200) and image.getpixel((400, 600))[0] > 150  # the red first page
    second = Image.open(io.BytesIO(coach.get(f"/evidence/files/{pdf.id}/pages/2.png").data)).convert("RGB")
    assert second.getpixel((400, 600))[2] > 150  # the blue second page
    assert coach.get(f"/evidence/files/{pdf.id}/pages/3.png").status_code == 404
    assert coach.get(f"/evidence/files/{pdf.id}/pages/0.png").status_code == 404
    assert coach.get(f"/evidence/files/{files['sheet.png'].id}/pages/1.png").status_code == 404  # not a PDF
    assert client_for(people.outsider).get(f"/evidence/files/{pdf.id}/pages/1.png").status_code == 404
    # Rendered once, then served from the cache beside the uploads.
    from pathlib import Path
    cached = Path(app.config["UPLOAD_PATH"]) / "previews" / pdf.file_sha256 / "1.png"
    assert cached.read_bytes() == first.data
    # The PDF itself is still only a download.
    assert coach.get(f"/evidence/files/{pdf.id}").headers["Content-Disposition"].startswith("attachment")


def test_a_pdf_pdfium_cannot_read_falls_back_to_its_download(app, people, use_chain, badge, client_for):
    from tests.helpers.evidence import PDF  # a header and padding: typed as a PDF, but no pages to render

    use_chain("coach")
    sub = send_evidence(app, people.teacher, badge, files=(("broken.pdf", PDF, False),))
    page = client_for(people.coach).get(f"/reviews/{sub.id}").get_data(as_text=True)
    assert "This PDF cannot be shown in the page; download it to open it." in page
    item = db.session.scalar(db.select(EvidenceItem).filter_by(filename="broken.pdf"))
    assert client_for(people.coach).get(f"/evidence/files/{item.id}/pages/1.png").status_code == 404


def test_the_teacher_sees_their_own_evidence_inline_too(people, media, client_for):
    sub, files = media
    page = client_for(people.teacher).get(f"/submissions/{sub.id}").get_data(as_text=True)
    assert f'src="/evidence/files/{files["plan.pdf"].id}/pages/1.png"' in page
    assert f'<source src="/evidence/files/{files["phone.mov"].id}" type="video/mp4">' in page
    assert f'<img src="/evidence/files/{files["sheet.png"].id}" alt="sheet.png"' in page
