"""The evidence pages through the test client: drafts, uploads, the privacy check, downloads."""
import io

import pytest

from milepost.core import signals
from milepost.evidence import services
from milepost.evidence.models import EvidenceItem, StoredFile, Submission
from milepost.extensions import db
from milepost.reviews import receivers as review_receivers
from tests.helpers.app import login
from tests.helpers.evidence import HTML, PDF, PNG, SVG


@pytest.fixture
def app_settings():
    return {"MAX_FILE_MB": 1, "MAX_SUBMISSION_MB": 2, "LINK_CHECK": "off"}


@pytest.fixture
def tclient(app, teacher):
    client = app.test_client()
    login(client, teacher.email)
    return client


def post_files(client, submission, files, **form):
    data = {"action": "save", **form}
    data["file-1"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/submissions/{submission.id}", data=data, content_type="multipart/form-data")


def items(kind=None):
    query = db.select(EvidenceItem)
    if kind:
        query = query.filter_by(kind=kind)
    return db.session.scalars(query).all()


def test_starting_from_the_badge_page_opens_the_draft(tclient, badge):
    response = tclient.post(f"/badges/{badge.slug}/start")
    submission = db.session.scalar(db.select(Submission))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/submissions/{submission.id}")
    page = tclient.get(f"/submissions/{submission.id}").get_data(as_text=True)
    assert "Describe your class" in page and 'name="answer-0"' in page


def test_a_draft_round_trip_keeps_every_answer(tclient, submission):
    long_answer = "A long reflection. " * 500
    response = tclient.post(f"/submissions/{submission.id}",
                            data={"action": "save", "answer-0": long_answer, "link-2": "https://vimeo.com/1"})
    assert response.status_code == 302
    page = tclient.get(f"/submissions/{submission.id}").get_data(as_text=True)
    assert long_answer.strip() in page and 'value="https://vimeo.com/1"' in page


def test_a_bad_link_is_reported_and_the_typing_is_kept(tclient, submission):
    response = tclient.post(f"/submissions/{submission.id}",
                            data={"action": "save", "answer-0": "Saved anyway", "link-2": "javascript:alert(1)"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "must start with http" in page and 'value="javascript:alert(1)"' in page
    assert items("text")[0].text == "Saved anyway"
    assert items("link") == []


def test_autosave_keeps_an_answer(tclient, submission):
    response = tclient.post(f"/submissions/{submission.id}/autosave", json={"prompt": 0, "text": "typed so far"})
    assert response.status_code == 200 and response.json == {"saved": True}
    assert items("text")[0].text == "typed so far"
    wrong = tclient.post(f"/submissions/{submission.id}/autosave", json={"prompt": 1, "text": "x"})
    assert wrong.status_code == 400 and "asks for a file" in wrong.json["error"]["message"]


def test_a_png_named_pdf_is_kept_as_a_png(tclient, submission):
    response = post_files(tclient, submission, [("scan.pdf", PNG)])
    assert response.status_code == 302
    item = items("file")[0]
    assert item.filename == "scan.png" and item.file.mime == "image/png"


@pytest.mark.parametrize("name,content,reason", [
    ("page.png", HTML, "web page or SVG"),
    ("drawing.svg", SVG, "web page or SVG"),
    ("empty.pdf", b"", "is empty"),
    ("program.pdf", b"MZ\x90\x00" + b"\x00" * 100, "not a kind of file we accept"),
])
def test_disguised_and_empty_uploads_are_refused_with_the_reason(tclient, submission, name, content, reason):
    response = post_files(tclient, submission, [(name, content)], **{"answer-0": "still saved"})
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    assert items("file") == [] and db.session.scalar(db.select(db.func.count()).select_from(StoredFile)) == 0
    assert items("text")[0].text == "still saved"


def test_an_oversized_file_gets_a_clear_413(tclient, submission):
    response = post_files(tclient, submission, [("huge.pdf", PDF + b"0" * (4 * 1024 * 1024))])
    assert response.status_code == 413
    assert "Files up to 1 MB" in response.get_data(as_text=True)


def test_a_file_over_the_per_file_limit_inside_the_request_limit(tclient, submission):
    response = post_files(tclient, submission, [("big.pdf", PDF + b"0" * (1024 * 1024 + 10))])
    assert response.status_code == 400
    assert "larger than the 1 MB limit" in response.get_data(as_text=True)


def test_the_same_file_is_stored_once(tclient, submission):
    post_files(tclient, submission, [("a.png", PNG)])
    post_files(tclient, submission, [("b.png", PNG)])
    assert len(items("file")) == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(StoredFile)) == 1


def test_the_privacy_check_then_submit(tclient, submission):
    tclient.post(f"/submissions/{submission.id}", data={"action": "save", "answer-0": "My class"})
    check = tclient.get(f"/submissions/{submission.id}/check")
    assert "Upload student goal sheets" in check.get_data(as_text=True)  # listed as missing
    post_files(tclient, submission, [("sheet.png", PNG)])
    refused = tclient.post(f"/submissions/{submission.id}/check", data={})
    assert refused.status_code == 400 and "confirm the privacy check" in refused.get_data(as_text=True)
    done = tclient.post(f"/submissions/{submission.id}/check", data={"confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).state == "submitted"


# --------------------------------------------------------------------------- who sees what


@pytest.fixture
def submitted(app, submission, teacher):
    client = app.test_client()
    login(client, teacher.email)
    post_files(client, submission, [("sheet.png", PNG)], **{"answer-0": "My class"})
    post_files(client, submission, [("faces.pdf", PDF)], **{"student-info-1": "y"})
    client.post(f"/submissions/{submission.id}/check", data={"confirm": "y"})
    db.session.expire_all()
    return db.session.get(Submission, submission.id)


def file_item(name):
    return db.session.scalar(db.select(EvidenceItem).filter_by(filename=name, attempt_id=db.select(
        db.func.max(EvidenceItem.attempt_id)).scalar_subquery()))


def test_downloads_for_the_earner_and_a_reviewer_but_not_a_colleague(app, submitted, as_role, tclient):
    png, pdf = file_item("sheet.png"), file_item("faces.pdf")
    own = tclient.get(f"/evidence/files/{png.id}")
    assert own.status_code == 200 and own.data == PNG
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    assert own.headers["Content-Disposition"].startswith("inline")
    assert "sandbox" in own.headers["Content-Security-Policy"]
    attachment = tclient.get(f"/evidence/files/{pdf.id}")
    assert attachment.headers["Content-Disposition"].startswith("attachment")
    coach = as_role("coach")
    assert coach.get(f"/evidence/files/{pdf.id}").status_code == 200
    colleague = as_role("teacher")
    assert colleague.get(f"/evidence/files/{png.id}").status_code == 404
    assert colleague.get(f"/submissions/{submitted.id}").status_code == 404
    leader = as_role("leader")
    assert leader.get(f"/evidence/files/{png.id}").status_code == 404
    anonymous = app.test_client().get(f"/evidence/files/{png.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_student_information_is_only_for_the_earner_and_the_reviewers(app, submitted, as_role, make_user):
    chosen = make_user("coach")
    def only_the_chosen_coach(_submission, *, user):
        return user.id == chosen.id

    signals.reviewer_asked.disconnect(review_receivers.is_reviewer)
    signals.reviewer_asked.connect(only_the_chosen_coach)  # only this coach reviews it
    try:
        pd_office = as_role("pd_admin")
        pdf, png = file_item("faces.pdf"), file_item("sheet.png")
        assert pd_office.get(f"/evidence/files/{png.id}").status_code == 200
        assert pd_office.get(f"/evidence/files/{pdf.id}").status_code == 404
        page = pd_office.get(f"/submissions/{submitted.id}").get_data(as_text=True)
        assert "sheet.png" in page and "faces.pdf" not in page
        other_coach = as_role("coach")
        assert other_coach.get(f"/submissions/{submitted.id}").status_code == 404
        reviewer = app.test_client()
        login(reviewer, chosen.email)
        assert reviewer.get(f"/evidence/files/{pdf.id}").status_code == 200
        assert "faces.pdf" in reviewer.get(f"/submissions/{submitted.id}").get_data(as_text=True)
    finally:
        signals.reviewer_asked.disconnect(only_the_chosen_coach)
        signals.reviewer_asked.connect(review_receivers.is_reviewer)


def test_a_draft_is_private_to_its_teacher(submission, as_role):
    for role in ("coach", "pd_admin", "teacher"):
        assert as_role(role).get(f"/submissions/{submission.id}").status_code == 404


def test_other_people_cannot_post_to_a_submission(submission, as_role):
    coach = as_role("coach")
    assert coach.post(f"/submissions/{submission.id}/autosave", json={"prompt": 0, "text": "x"}).status_code == 404
    assert coach.post(f"/submissions/{submission.id}/uploads", json={"prompt": 1, "size": 5}).status_code == 404


def test_the_dashboard_shows_returned_work_with_its_feedback_first(tclient, submitted, make_user):
    coach = make_user("coach")
    services.transition(db.session, db.session.get(Submission, submitted.id), "return", by=coach,
                        note="Please add **one more** goal sheet.")
    db.session.commit()
    page = tclient.get("/my/badges").get_data(as_text=True)
    assert page.index("Returned for revision") < page.index("Goal Setting")
    assert "<strong>one more</strong>" in page


# --------------------------------------------------------------------------- chunked uploads


def test_a_chunked_upload_resumes_and_is_kept_when_complete(tclient, submission):
    body = PDF + b"1" * 5000
    begin = tclient.post(f"/submissions/{submission.id}/uploads",
                         json={"prompt": 1, "filename": "plan.pdf", "size": len(body), "student_info": True})
    assert begin.status_code == 201
    url = begin.json["url"]
    first = tclient.put(url, data=body[:3000], headers={"Upload-Offset": "0"})
    assert first.json["offset"] == 3000 and not first.json["done"]
    # the connection dropped and the client lost track: it sends from the wrong place
    wrong = tclient.put(url, data=body[1000:], headers={"Upload-Offset": "1000"})
    assert wrong.status_code == 409 and wrong.json["offset"] == 3000
    assert tclient.get(url).json["offset"] == 3000
    last = tclient.put(url, data=body[3000:], headers={"Upload-Offset": "3000"})
    assert last.json["done"] is True
    item = items("file")[0]
    assert item.filename == "plan.pdf" and item.student_info and item.file.size == len(body)


def test_a_chunked_upload_says_why_it_is_refused(tclient, submission):
    too_big = tclient.post(f"/submissions/{submission.id}/uploads",
                           json={"prompt": 1, "filename": "film.mov", "size": 5 * 1024 * 1024})
    assert too_big.status_code == 413 and "1 MB limit" in too_big.json["error"]["message"]
    begin = tclient.post(f"/submissions/{submission.id}/uploads",
                         json={"prompt": 1, "filename": "page.png", "size": len(HTML)})
    done = tclient.put(begin.json["url"], data=HTML, headers={"Upload-Offset": "0"})
    assert done.status_code == 400 and "web page or SVG" in done.json["error"]["message"]
    assert items("file") == []


def test_someone_elses_upload_is_not_found(tclient, submission, as_role):
    begin = tclient.post(f"/submissions/{submission.id}/uploads", json={"prompt": 1, "filename": "a.pdf", "size": 300})
    other = as_role("teacher")
    assert other.put(begin.json["url"], data=PDF[:10], headers={"Upload-Offset": "0"}).status_code == 404
    assert other.get(begin.json["url"]).status_code == 404


def test_photo_location_data_is_removed_on_upload(tclient, submission, app):
    from PIL import Image

    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS
    Image.new("RGB", (32, 32), (200, 10, 10)).save(photo, "JPEG", exif=exif)
    assert b"PhoneMaker" in photo.getvalue()
    post_files(tclient, submission, [("classroom.jpg", photo.getvalue())])
    item = items("file")[0]
    stored = tclient.get(f"/evidence/files/{item.id}").data
    assert stored[:3] == b"\xff\xd8\xff" and b"PhoneMaker" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
