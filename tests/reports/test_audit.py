"""The audit log: sign-ins, one `account.login` each whichever way the person came in (and refused ones,
alike whether or not the account exists), role changes with old and new roles, and the site admin's
viewer with its filters, pages and CSV export. Sign-ins with the district's provider: tests/signin."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from milepost.core.audit import AuditEvent
from milepost.extensions import db
from milepost.signin.models import TotpSetup
from tests.helpers.app import PASSWORD, login


@pytest.fixture
def app_settings():
    return {"PAGE_SIZE": 5}


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def test_a_password_sign_in_is_audited(app, make_user):
    person = make_user("teacher")
    assert login(app.test_client(), person.email).status_code == 302
    [event] = events("account.login")
    assert (event.actor_id, event.target_type, event.target_id) == (person.id, "user", person.id)
    assert event.detail == {"method": "password", "second_factor": "not needed"}


def test_a_second_factor_sign_in_is_one_login_recorded_once_the_code_is_checked(app, make_user):
    from milepost.signin import totp
    from tests.helpers.signin import enrol_directly

    admin = make_user("pd_admin", name="Pat Office")
    secret, codes = enrol_directly(admin)
    client = app.test_client()
    assert login(client, admin.email).headers["Location"] == "/signin/two-factor"
    [accepted] = events("account.password_accepted")  # the password alone is not a sign-in
    assert ((accepted.actor_id, accepted.target_id, accepted.detail)
            == (admin.id, admin.id, {"second_factor": "to follow"}))
    assert events("account.login") == []
    wrong = f"{(int(totp.current_code(secret)) + 1) % 1000000:06d}"
    assert client.post("/signin/two-factor", data={"code": wrong}).status_code == 400
    assert events("account.login") == []  # a wrong code finishes nothing
    assert client.post("/signin/two-factor", data={"code": totp.current_code(secret)}).status_code == 302
    [event] = events("account.login")
    assert (event.actor_id, event.target_type, event.target_id) == (admin.id, "user", admin.id)
    assert event.detail == {"method": "password", "second_factor": "authenticator app"}

    again = app.test_client()
    login(again, admin.email)
    assert again.post("/signin/two-factor", data={"code": codes[0]}).status_code == 302
    assert events("account.login")[-1].detail == {"method": "password", "second_factor": "recovery code"}


def test_setting_up_the_second_factor_while_signing_in_records_the_sign_in(app, make_user):
    import re

    from milepost.signin import totp

    app.config["TWO_FACTOR_REQUIRED"] = True  # as in production: staff must use a second factor
    admin = make_user("site_admin")
    client = app.test_client()
    assert login(client, admin.email).headers["Location"] == "/signin/two-factor"
    assert client.get("/signin/two-factor").headers["Location"] == "/signin/two-factor/set-up"
    client.get("/signin/two-factor/set-up")
    with client.session_transaction() as session:
        assert "secret" not in repr(dict(session))  # kept server-side, not in the readable session cookie
    db.session.expire_all()
    secret = db.session.get(TotpSetup, admin.id).secret
    page = client.post("/signin/two-factor/set-up", data={"code": totp.current_code(secret)}).get_data(as_text=True)
    assert len(re.findall(r"<code>([a-z0-9-]{19})</code>", page)) == 10
    [event] = events("account.login")
    assert event.target_id == admin.id and event.detail == {"method": "password", "second_factor": "set up now"}
    # Setting up another authenticator later, already signed in, is not a sign-in.
    assert len(events("signin.2fa_enrolled")) == 1


def test_a_reset_link_sign_in_is_recorded_with_or_without_a_second_factor(app, make_user):
    from milepost.accounts import services as accounts
    from milepost.signin import totp
    from tests.helpers.signin import enrol_directly

    teacher, admin = make_user("teacher"), make_user("site_admin")
    secret, _ = enrol_directly(admin)
    for person in (teacher, admin):
        token = accounts.issue_reset_token(db.session, person, hours=1)
        db.session.commit()
        client = app.test_client()
        assert client.post(f"/reset/{token}", data={"new_password": "a brand new password",
                                                    "confirm": "a brand new password"}).status_code == 302
        if person is admin:
            assert [e.target_id for e in events("account.login")] == [teacher.id]  # not before the code
            assert client.get("/").headers["Location"] == "/signin/two-factor"
            assert client.post("/signin/two-factor", data={"code": totp.current_code(secret)}).status_code == 302
    teacher_login, admin_login = events("account.login")
    assert (teacher_login.target_id, teacher_login.detail) == (teacher.id, {"method": "reset link",
                                                                           "second_factor": "not needed"})
    assert (admin_login.target_id, admin_login.detail) == (admin.id, {"method": "earlier session",
                                                                     "second_factor": "authenticator app"})


def test_the_viewer_lists_every_kind_of_sign_in_under_account_login(app, make_user, client_for_audit):
    from milepost.signin import totp
    from tests.helpers.signin import enrol_directly

    site, *_ = client_for_audit
    admin = make_user("pd_admin", name="Two Factor Person")
    secret, _ = enrol_directly(admin)
    client = app.test_client()
    login(client, admin.email)
    client.post("/signin/two-factor", data={"code": totp.current_code(secret)})
    body = site.get("/reports/audit", query_string={"action": "account.login"}).get_data(as_text=True)
    rows = body.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 4 and all("<code>account.login</code>" in r for r in rows)
    assert "Two Factor Person" in rows[0] and "second_factor: authenticator app" in rows[0]


def test_refused_sign_ins_are_audited_alike_whether_or_not_the_account_exists(app, make_user):
    person = make_user("teacher", email="real@school.example")
    client = app.test_client()
    assert client.post("/login", data={"email": "real@school.example", "password": "wrong one!"}).status_code == 400
    assert client.post("/login", data={"email": "nobody@school.example", "password": "wrong one!"}).status_code == 400
    assert client.post("/login", data={"email": PASSWORD + "@", "password": "x"}).status_code in (400, 200)
    first, second, *rest = events("account.login_failed")
    for event in (first, second):
        assert event.actor_id is None and event.target_type == "" and event.target_id is None
        assert set(event.detail) == {"email", "client"}
    assert first.detail["email"] == "real@school.example" and second.detail["email"] == "nobody@school.example"
    assert all(PASSWORD not in str(e.detail) for e in rest)  # text that is not an address is not kept
    assert events("account.login") == [] and person.id not in {e.target_id for e in events("account.login_failed")}


def test_a_deactivated_account_is_refused_with_the_same_entry(app, make_user):
    make_user("teacher", email="gone@school.example", active=False)
    app.test_client().post("/login", data={"email": "gone@school.example", "password": PASSWORD})
    [event] = events("account.login_failed")
    assert event.target_id is None and set(event.detail) == {"email", "client"}


def test_role_changes_record_the_old_and_new_roles(as_role, make_user):
    person = make_user("teacher", name="Role Change")
    admin = as_role("pd_admin")
    response = admin.post(f"/admin/people/{person.id}", data={"display_name": "Role Change", "email": person.email,
                                                              "roles": ["teacher", "coach"], "school_id": 0,
                                                              "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    [updated] = [e for e in events("user.updated") if e.target_id == person.id]
    assert updated.detail["old_roles"] == ["teacher"] and updated.detail["roles"] == ["coach", "teacher"]
    [changed] = events("user.roles_changed")
    assert (changed.actor_id, changed.target_id) == (admin.user.id, person.id)
    assert changed.detail == {"old_roles": ["teacher"], "roles": ["coach", "teacher"]}
    admin.post(f"/admin/people/{person.id}", data={"display_name": "Role Changed", "email": person.email,
                                                   "roles": ["teacher", "coach"], "school_id": 0, "active": "y"})
    assert len(events("user.roles_changed")) == 1  # a change of name alone is not a role change


def test_the_viewer_filters_by_action_actor_dates_and_target(app, make_user, client_for_audit):
    site, pd, teacher = client_for_audit
    # Older events on known days.
    db.session.execute(update(AuditEvent).where(AuditEvent.action == "user.created")
                       .values(at=datetime(2025, 1, 10, 9, tzinfo=UTC)))
    db.session.commit()
    html = site.get("/reports/audit", query_string={"action": "account.login"}).get_data(as_text=True)
    assert html.count("<code>account.login</code>") == 3 and "user.created" not in html.split("<tbody>")[1]
    html = site.get("/reports/audit", query_string={"actor": "dana"}).get_data(as_text=True)
    body = html.split("<tbody>")[1]
    assert "Dana District" in body and "Sam Site" not in body
    html = site.get("/reports/audit", query_string={"start": "2025-01-10", "end": "2025-01-10"}).get_data(as_text=True)
    assert "3 events" in html and "<code>user.created</code>" in html
    html = site.get("/reports/audit",
                    query_string={"target_type": "user", "target_id": teacher.id}).get_data(as_text=True)
    assert all(f"user {teacher.id}" in row for row in html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:])
    app.test_client().post("/login", data={"email": "nobody@school.example", "password": "wrong one!"})
    html = site.get("/reports/audit", query_string={"action": "account"}).get_data(as_text=True)  # a whole family
    assert "<code>account.login</code>" in html and "<code>account.login_failed</code>" in html
    assert site.get("/reports/audit", query_string={"start": "not a date"}).status_code == 400


def test_the_viewer_pages_through_events(app, client_for_audit):
    site, *_ = client_for_audit
    total = db.session.scalar(select(db.func.count(AuditEvent.id)))
    assert total > 5
    first = site.get("/reports/audit").get_data(as_text=True)
    second = site.get("/reports/audit", query_string={"page": 2}).get_data(as_text=True)
    assert f"{total} events, page 1 of" in first and 'rel="next"' in first
    assert "page 2 of" in second and 'rel="prev"' in second
    rows = lambda html: html.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")  # noqa: E731
    assert rows(first) == 5


def test_the_filtered_log_exports_to_csv_and_the_export_is_audited(app, client_for_audit):
    site, pd, _ = client_for_audit
    response = site.get("/reports/audit.csv", query_string={"action": "account.login"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["When (UTC)", "Who", "Email", "Action", "Target", "Target id", "Details"]
    assert len(rows) == 4 and {r[3] for r in rows[1:]} == {"account.login"}
    assert "Dana District" in {r[1] for r in rows[1:]}
    [event] = events("report.exported")
    assert event.actor_id == site.user.id and event.detail["report"] == "audit_log"
    assert event.detail["filters"] == {"action": "account.login"} and event.detail["rows"] == 3


def test_audit_csv_cells_that_look_like_formulas_are_made_plain_text(app, client_for_audit):
    site, *_ = client_for_audit
    from milepost.core import audit

    audit.record(db.session, "badge.created", slug="=cmd|' /C calc'!A0")
    db.session.commit()
    body = site.get("/reports/audit.csv").get_data(as_text=True)
    cells = [c for row in csv.reader(io.StringIO(body)) for c in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]


@pytest.fixture
def client_for_audit(app, make_user):
    site_user = make_user("site_admin", name="Sam Site")
    pd_user = make_user("pd_admin", name="Dana District")
    teacher = make_user("teacher", name="Tess Teacher")
    clients = []
    for person in (site_user, pd_user, teacher):
        c = app.test_client()
        assert login(c, person.email).status_code == 302
        c.user = person
        clients.append(c)
    site, pd, _ = clients
    assert pd.get("/reports/audit").status_code == 403
    return site, pd, teacher
