"""Probes against a running server on 127.0.0.1: what an attacker would try, and the safe outcome.

Each probe uses real HTTP with real cookies and CSRF protection switched on."""
import pytest
import requests

from milepost.badges import services as badges
from milepost.evidence import services as evidence
from milepost.evidence.models import EvidenceItem
from milepost.extensions import db
from tests.helpers.app import PASSWORD
from tests.helpers.evidence import HTML, PNG
from tests.helpers.security import XSS, csrf, sign_in, signed_in, teacher_submission


def test_forms_without_a_csrf_token_are_refused(server):
    staff = signed_in(server, "pd_admin")
    r = staff.post(server.base + "/admin/people/new", data={"display_name": "Mallory", "email": "m@evil.example",
                                                            "roles": ["site_admin"]})
    assert r.status_code == 400
    with server.app_context():
        assert db.session.scalar(db.select(db.func.count()).where(db.text("email = 'm@evil.example'"))
                                 .select_from(db.table("user"))) == 0
    r = staff.post(server.base + "/account/password", data={"current_password": PASSWORD,
                                                            "new_password": "a new long password", "confirm": "x"})
    assert r.status_code == 400


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example"])
def test_sign_in_never_redirects_off_site(server, target):
    r = sign_in(server, requests.Session(), "teacher@probe.example", next_url=target)
    assert r.status_code == 302 and r.headers["Location"] in ("/", server.base + "/")


def test_another_teachers_submission_files_and_uploads_are_not_found(server):
    owner, other = signed_in(server, "teacher"), signed_in(server, "other")
    sub_id = teacher_submission(server, owner)
    token = csrf(owner, server.base, f"/submissions/{sub_id}")
    owner.post(server.base + f"/submissions/{sub_id}", data={"csrf_token": token, "action": "save"},
               files={"file-1": ("sheet.png", PNG, "image/png")})
    begin = owner.post(server.base + f"/submissions/{sub_id}/uploads", json={"prompt": 1, "filename": "a.png",
                                                                             "size": len(PNG)},
                       headers={"X-CSRFToken": token})
    with server.app_context():
        item_id = db.session.scalar(db.select(EvidenceItem.id))
    other_token = csrf(other, server.base, "/my/badges")
    assert other.get(server.base + f"/submissions/{sub_id}").status_code == 404
    assert other.get(server.base + f"/evidence/files/{item_id}").status_code == 404
    assert other.post(server.base + f"/submissions/{sub_id}/autosave", json={"prompt": 0, "text": "x"},
                      headers={"X-CSRFToken": other_token}).status_code == 404
    assert other.put(server.base + begin.json()["url"], data=PNG, headers={"X-CSRFToken": other_token,
                                                                           "Upload-Offset": "0"}).status_code == 404
    leader = signed_in(server, "leader")
    assert leader.get(server.base + f"/evidence/files/{item_id}").status_code == 404


def test_script_in_answers_names_and_filenames_never_runs(server):
    owner = signed_in(server, "teacher")
    sub_id = teacher_submission(server, owner)
    token = csrf(owner, server.base, f"/submissions/{sub_id}")
    owner.post(server.base + f"/submissions/{sub_id}",
               data={"csrf_token": token, "action": "save", "answer-0": XSS + "\n\n[click](javascript:alert(1))"},
               files={"file-1": (XSS + ".png", PNG, "image/png")})
    r = owner.post(server.base + f"/submissions/{sub_id}/check", data={"csrf_token": csrf(
        owner, server.base, f"/submissions/{sub_id}/check"), "confirm": "y"}, allow_redirects=False)
    assert r.status_code == 302
    coach = signed_in(server, "coach")
    page = coach.get(server.base + f"/submissions/{sub_id}").text
    assert "<script>alert" not in page and "onerror=alert" not in page and 'href="javascript:' not in page
    with server.app_context():
        name = db.session.scalar(db.select(EvidenceItem.filename).where(EvidenceItem.kind == "file"))
    assert "<" not in name and ">" not in name


def test_disguised_and_oversized_uploads_are_refused(server):
    owner = signed_in(server, "teacher")
    sub_id = teacher_submission(server, owner)
    token = csrf(owner, server.base, f"/submissions/{sub_id}")
    r = owner.post(server.base + f"/submissions/{sub_id}", data={"csrf_token": token, "action": "save"},
                   files={"file-1": ("holiday.png", HTML, "image/png")})
    assert r.status_code == 400 and "web page or SVG" in r.text
    r = owner.post(server.base + f"/submissions/{sub_id}", data={"csrf_token": token, "action": "save"},
                   files={"file-1": ("huge.pdf", b"%PDF-1.4" + b"0" * (4 * 1024 * 1024), "application/pdf")})
    assert r.status_code == 413
    with server.app_context():
        assert db.session.scalar(db.select(db.func.count(EvidenceItem.id))) == 0


def test_a_teacher_cannot_raise_their_own_role_or_decide_their_own_work(server):
    owner = signed_in(server, "teacher")
    token = csrf(owner, server.base, "/")
    r = owner.post(server.base + f"/admin/people/{server.people['teacher']}",
                   data={"csrf_token": token, "display_name": "Teacher", "email": "teacher@probe.example",
                         "roles": ["site_admin"], "active": "y"})
    assert r.status_code == 403
    with server.app_context():
        from milepost.accounts.models import User
        assert db.session.get(User, server.people["teacher"]).roles == {"teacher"}
        sub = evidence.start_badge(db.session, db.session.get(User, server.people["teacher"]),
                                   badges.load_badge(db.session, "goals"))
        db.session.commit()
        with pytest.raises(Exception, match="not one of its reviewers|cannot be"):
            evidence.transition(db.session, sub, "award", by=db.session.get(User, server.people["teacher"]))
        db.session.rollback()


def test_guessing_passwords_is_throttled(server):
    statuses = []
    for attempt in range(7):
        statuses.append(sign_in(server, requests.Session(), "teacher@probe.example",
                                password=f"guess number {attempt}").status_code)
    assert statuses[:5] == [400] * 5 and statuses[-1] == 429
