"""Probes on a running server: sessions (renewed at sign-in, dead after sign-out, even a copy taken
before), redirects that stay on the site, request bodies that cannot grow without bound, and sign-in
and reset pages that never say whether an address has an account."""
from __future__ import annotations

import re

import pytest
import requests

from tests.helpers.app import PASSWORD
from tests.helpers.security import csrf, sign_in, signed_in, teacher_submission


def is_signed_in(server, cookies: dict) -> bool:
    fresh = requests.Session()
    for name, value in cookies.items():
        fresh.cookies.set(name, value)
    r = fresh.get(server.base + "/", allow_redirects=False)
    return r.status_code == 200


def test_signing_in_starts_a_new_session_and_old_form_tokens_stop_working(server):
    s = requests.Session()
    before_token = csrf(s, server.base, "/login")
    before = s.cookies.get("session")
    assert sign_in(server, s, "teacher@probe.example").status_code == 302
    assert s.cookies.get("session") != before
    # A token from before signing in (which an attacker could have planted) is no longer accepted.
    r = s.post(server.base + "/account/password", data={"csrf_token": before_token, "current_password": PASSWORD,
                                                       "new_password": "a different long one", "confirm":
                                                       "a different long one"}, allow_redirects=False)
    assert r.status_code == 400


def test_a_session_copied_before_signing_out_is_useless_after_it(server):
    s = requests.Session()
    assert sign_in(server, s, "teacher@probe.example", remember="y").status_code == 302
    stolen = {"session": s.cookies.get("session")}
    remembered = {"remember_token": s.cookies.get("remember_token")}
    assert stolen["session"] and remembered["remember_token"]
    assert is_signed_in(server, stolen) and is_signed_in(server, remembered)
    token = csrf(s, server.base, "/")
    assert s.post(server.base + "/logout", data={"csrf_token": token}, allow_redirects=False).status_code == 302
    assert not is_signed_in(server, stolen)
    assert not is_signed_in(server, remembered)
    assert sign_in(server, requests.Session(), "teacher@probe.example").status_code == 302  # signing in again works


def test_signing_out_needs_the_form_token(server):
    s = signed_in(server, "teacher")
    assert s.post(server.base + "/logout", allow_redirects=False).status_code == 400  # a cross-site POST
    assert s.get(server.base + "/", allow_redirects=False).status_code == 200


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\r\nLocation: https://evil.example", "/\\/evil.example",
                                    "\\\\evil.example", "https:evil.example", "///evil.example", " //evil.example",
                                    "%2F%2Fevil.example", "/%09/evil.example"])
def test_sign_in_never_redirects_off_site_whatever_the_disguise(server, target):
    r = sign_in(server, requests.Session(), "teacher@probe.example", next_url=target)
    assert r.status_code == 302
    location = r.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "evil.example" not in location.split("?", 1)[0].lstrip("/").split("/", 1)[0]
    assert "\r" not in location and "\n" not in location and "Set-Cookie" not in r.headers.get("Location", "")


def test_an_already_signed_in_visit_to_login_also_stays_on_site(server):
    s = signed_in(server, "teacher")
    r = s.get(server.base + "/login", params={"next": "//evil.example/"}, allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "/"


def chunks(total: int, size: int = 65536):
    """A body sent in chunks without a Content-Length: its size is not known until it ends."""
    for _ in range(total // size):
        yield b"b" * size


def test_request_bodies_are_bounded_whatever_their_shape(server):
    """The probe server allows 1 MB files, so a request may carry 3 MB; 4 MB is refused, not read to the end."""
    big = b"a" * (4 * 1024 * 1024)
    s = signed_in(server, "teacher")
    token = csrf(s, server.base, "/")
    form = s.post(server.base + "/login", data={"email": "x@probe.example", "password": big.decode()})
    assert form.status_code == 413
    as_json = s.post(server.base + "/notifications/read-all", data=big,
                     headers={"Content-Type": "application/json", "X-CSRFToken": token})
    assert as_json.status_code == 413
    chunked_form = requests.post(server.base + "/login", data=chunks(4 * 1024 * 1024),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert chunked_form.status_code in (400, 413)

    # A resumable upload takes no more than the size it announced, however the bytes arrive.
    sub = teacher_submission(server, s)
    token = csrf(s, server.base, f"/submissions/{sub}")
    begin = s.post(server.base + f"/submissions/{sub}/uploads", json={"prompt": 1, "filename": "a.png",
                                                                     "size": 1000}, headers={"X-CSRFToken": token})
    assert begin.status_code in (200, 201), begin.text
    upload = s.put(server.base + begin.json()["url"], data=chunks(2 * 1024 * 1024),
                   headers={"X-CSRFToken": token, "Upload-Offset": "0"})
    assert upload.status_code == 413
    with server.app_context():
        from milepost.evidence.models import EvidenceItem
        from milepost.extensions import db

        assert db.session.scalar(db.select(db.func.count(EvidenceItem.id))) == 0
    assert requests.get(server.base + "/healthz").status_code == 200  # and the server still answers


def test_sign_in_reset_and_staff_pages_reveal_nothing_about_who_has_an_account(server):
    def page(path, email, **extra):
        s = requests.Session()
        token = csrf(s, server.base, path)
        r = s.post(server.base + path, data={"email": email, "csrf_token": token, **extra})
        body = re.sub(r'name="csrf_token"[^>]*>', "", r.text).replace(email, "ADDRESS")
        return r.status_code, body

    known, unknown = "coach@probe.example", "nobody@probe.example"
    assert page("/login", known, password="wrong guess 1") == page("/login", unknown, password="wrong guess 1")
    assert page("/reset", known) == page("/reset", unknown)
    # Staff pages that list people are closed to everyone else, whatever they ask for.
    anonymous, teacher = requests.Session(), signed_in(server, "teacher")
    for path in ("/admin/people?q=coach", "/admin/roster", f"/admin/people/{server.people['coach']}"):
        r = anonymous.get(server.base + path, allow_redirects=False)
        assert r.status_code == 302 and "coach@probe.example" not in r.text
        r = teacher.get(server.base + path, allow_redirects=False)
        assert r.status_code == 403 and "coach@probe.example" not in r.text


def test_guessing_from_one_address_is_throttled_and_forged_forwarding_headers_do_not_help(server):
    statuses = []
    for n in range(22):  # the probe server allows 20 sign-in attempts a minute from one address
        s = requests.Session()
        token = csrf(s, server.base, "/login")
        statuses.append(s.post(server.base + "/login", headers={"X-Forwarded-For": f"203.0.113.{n}"},
                               data={"email": f"guess{n}@probe.example", "password": "guess",
                                     "csrf_token": token}).status_code)
    assert statuses[:20] == [400] * 20 and statuses[-1] == 429
    assert "Too many attempts" in s.post(server.base + "/login", data={"csrf_token": token}).text
