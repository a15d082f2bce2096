"""Data rights: a person's own copy of their data; removing a departed teacher's personal data."""
import io
import json
import zipfile

import pytest

from milepost.accounts.models import User
from milepost.awards.models import Award
from milepost.evidence import services as evidence
from milepost.evidence.models import EvidenceItem, StoredFile
from milepost.extensions import db
from milepost.points import services as points
from tests.helpers.app import login
from tests.helpers.evidence import PNG


@pytest.fixture
def earned(app, teacher, submission, make_user):
    """The teacher's submission with a written answer and a real file, awarded by a coach."""
    client = app.test_client()
    login(client, teacher.email)
    client.post(f"/submissions/{submission.id}", content_type="multipart/form-data", data={
        "action": "save", "answer-0": "My classroom story", "file-1": (io.BytesIO(PNG), "sheet.png")})
    client.post(f"/submissions/{submission.id}/check", data={"confirm": "y"})
    db.session.expire_all()
    coach = make_user("coach")
    evidence.transition(db.session, submission, "begin_review", by=coach)
    evidence.transition(db.session, submission, "award", by=coach, note="Well done")
    db.session.commit()
    return client


def test_a_teacher_downloads_everything_held_about_them(earned, teacher):
    response = earned.get("/account/my-data.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == teacher.email
    (sub,) = data["submissions"]
    assert sub["state"] == "awarded" and sub["attempts"][0]["items"][0]["text"] == "My classroom story"
    files = [n for n in archive.namelist() if n.startswith("files/")]
    assert len(files) == 1 and archive.read(files[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert data["awards_and_points"]["awards"][0]["status"] == "valid"


def test_removing_a_teachers_data_keeps_the_district_totals(earned, teacher, as_role, app):
    admin = as_role("site_admin")
    before_points = points.balance(db.session, teacher.id)
    refused = admin.post(f"/admin/people/{teacher.id}/remove-data",
                         data={"reason": "Left in June", "confirm_email": "wrong@school.example"})
    assert refused.status_code == 400 and "not this person" in refused.get_data(as_text=True)
    done = admin.post(f"/admin/people/{teacher.id}/remove-data",
                      data={"reason": "Left in June", "confirm_email": teacher.email})
    assert done.status_code == 302
    db.session.expire_all()
    person = db.session.get(User, teacher.id)
    assert person.email.endswith("@removed.invalid") and not person.active and person.password_hash is None
    assert all(not i.text and not i.file_sha256 for i in db.session.scalars(db.select(EvidenceItem)))
    assert db.session.scalar(db.select(db.func.count()).select_from(StoredFile)) == 0
    award = db.session.scalar(db.select(Award))
    assert award.revoked_at is None and award.private is True
    assert points.balance(db.session, teacher.id) == before_points
    assert earned.get("/").status_code == 302  # signed out for good


def test_only_site_admins_remove_data(earned, teacher, as_role):
    for role in ("pd_admin", "teacher", "leader"):
        assert as_role(role).post(f"/admin/people/{teacher.id}/remove-data",
                                  data={"reason": "x", "confirm_email": teacher.email}).status_code == 403


def test_a_site_admin_cannot_remove_their_own_data(as_role):
    admin = as_role("site_admin")
    refused = admin.post(f"/admin/people/{admin.user.id}/remove-data",
                         data={"reason": "Leaving", "confirm_email": admin.user.email})
    assert refused.status_code == 400 and "You cannot anonymise your own account." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.user.id).active


def test_retention_removes_old_files_and_keeps_the_record(earned, app, submission):
    from datetime import timedelta

    from milepost.core.model import utcnow
    from milepost.evidence.models import Submission

    sub = db.session.get(Submission, submission.id)
    sub.updated_at = utcnow() - timedelta(days=400)
    db.session.commit()
    app.config["EVIDENCE_RETENTION_DAYS"] = 365
    result = app.test_cli_runner().invoke(args=["prune-evidence"])
    assert result.exit_code == 0 and "1 evidence file(s)" in result.output
    item = db.session.scalar(db.select(EvidenceItem).where(EvidenceItem.kind == "file"))
    assert item.file_sha256 is None and "removed after 365 days" in item.filename
