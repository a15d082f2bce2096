"""Two-factor sign-in (TOTP + recovery codes) after a local password."""
import re
import time

from sqlalchemy import select

from milepost.accounts import services as account_services
from milepost.accounts.models import User
from milepost.core.audit import AuditEvent
from milepost.extensions import db
from milepost.signin import totp
from milepost.signin.models import RecoveryCode, TotpCredential, TotpSetup
from tests.helpers.app import login
from tests.helpers.signin import enrol_directly, signed_in_user_name


def _actions(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_pd_admin_sets_up_an_authenticator_before_being_signed_in(client, make_user):
    admin = make_user("pd_admin", name="Pat Office")
    response = login(client, admin.email)
    assert response.headers["Location"] == "/signin/two-factor"
    assert signed_in_user_name(client) is None  # password alone signs nobody in
    assert client.get("/signin/two-factor").headers["Location"] == "/signin/two-factor/set-up"

    page = client.get("/signin/two-factor/set-up").get_data(as_text=True)
    assert "<svg" in page and not re.search(r"<script(?![^>]*\bsrc=)", page)  # the QR code carries no script
    with client.session_transaction() as session:
        assert "secret" not in repr(dict(session))  # kept server-side, not in the readable session cookie
    db.session.expire_all()
    secret = db.session.get(TotpSetup, admin.id).secret
    assert totp.grouped(secret) in page  # the key to type by hand
    assert client.get("/admin/people").status_code == 302

    wrong = client.post("/signin/two-factor/set-up", data={"code": "000000"})
    assert wrong.status_code == 400 and "That code did not match" in wrong.get_data(as_text=True)
    assert db.session.get(TotpCredential, admin.id) is None

    done = client.post("/signin/two-factor/set-up", data={"code": totp.current_code(secret)})
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "Save your recovery codes" in page
    codes = re.findall(r"<code>([a-z0-9-]{19})</code>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert signed_in_user_name(client) == "Pat Office"
    assert client.get("/admin/people").status_code == 200
    assert [e.target_id for e in _actions("signin.2fa_enrolled")] == [admin.id]


def test_recovery_codes_are_stored_only_as_hashes(make_user):
    user = make_user("site_admin")
    _, codes = enrol_directly(user)
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    assert not set(codes) & set(stored) and not {c.replace("-", "") for c in codes} & set(stored)


def test_sign_in_with_a_valid_code_and_the_same_code_cannot_be_used_twice(app, client, make_user):
    admin = make_user("site_admin", name="Sam Admin")
    secret, _ = enrol_directly(admin)
    login(client, admin.email)
    code = totp.current_code(secret)
    response = client.post("/signin/two-factor", data={"code": code})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in_user_name(client) == "Sam Admin"

    other = app.test_client()
    login(other, admin.email)
    replay = other.post("/signin/two-factor", data={"code": code})
    assert replay.status_code == 400 and "That code did not work" in replay.get_data(as_text=True)
    assert signed_in_user_name(other) is None


def test_a_wrong_code_signs_nobody_in(client, make_user):
    admin = make_user("pd_admin")
    secret, _ = enrol_directly(admin)
    login(client, admin.email)
    good = totp.current_code(secret)
    wrong = f"{(int(good) + 1) % 1000000:06d}"
    response = client.post("/signin/two-factor", data={"code": wrong})
    assert response.status_code == 400
    assert "That code did not work" in response.get_data(as_text=True)
    assert signed_in_user_name(client) is None
    failed = _actions("account.second_factor_failed")  # someone may know the password: the log shows it
    assert [(e.actor_id, e.target_id) for e in failed] == [(admin.id, admin.id)]
    assert _actions("account.login") == []
    assert client.post("/signin/two-factor", data={"code": "not a code"}).status_code == 400


def test_a_recovery_code_works_once(app, client, make_user):
    admin = make_user("pd_admin", name="Lee Lost-Phone")
    _, codes = enrol_directly(admin)
    login(client, admin.email)
    response = client.post("/signin/two-factor", data={"code": codes[3].upper().replace("-", " ")})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Welcome, Lee Lost-Phone" in page and "You used a recovery code; 9 are left." in page

    again = app.test_client()
    login(again, admin.email)
    reused = again.post("/signin/two-factor", data={"code": codes[3]})
    assert reused.status_code == 400 and "That code did not work" in reused.get_data(as_text=True)
    assert signed_in_user_name(again) is None
    assert len(_actions("signin.recovery_code_used")) == 1


def test_the_code_step_expires_and_needs_the_password_again(client, make_user):
    admin = make_user("pd_admin")
    secret, _ = enrol_directly(admin)
    login(client, admin.email)
    with client.session_transaction() as session:
        pending = session["signin_pending"]
        session["signin_pending"] = dict(pending, at=pending["at"] - 3600)
    response = client.post("/signin/two-factor", data={"code": totp.current_code(secret)})
    assert response.headers["Location"] == "/login"
    assert signed_in_user_name(client) is None


def test_a_teacher_without_two_factor_signs_in_with_the_password_alone(client, make_user):
    teacher = make_user("teacher", name="Terry Teacher")
    assert login(client, teacher.email).headers["Location"] == "/"
    assert signed_in_user_name(client) == "Terry Teacher"


def test_a_teacher_who_set_up_two_factor_is_asked_for_a_code(client, make_user):
    teacher = make_user("teacher")
    enrol_directly(teacher)
    assert login(client, teacher.email).headers["Location"] == "/signin/two-factor"


def test_a_reset_link_does_not_skip_the_second_factor(client, make_user):
    admin = make_user("site_admin")
    secret, _ = enrol_directly(admin)
    token = account_services.issue_reset_token(db.session, admin, hours=1)
    db.session.commit()
    response = client.post(f"/reset/{token}", data={"new_password": "a brand new password",
                                                    "confirm": "a brand new password"})
    assert response.status_code == 302
    # The reset page signed them in; the very next page asks for the code instead.
    assert client.get("/admin/people").headers["Location"] == "/signin/two-factor"
    assert signed_in_user_name(client) is None
    assert client.post("/signin/two-factor", data={"code": totp.current_code(secret)}).status_code == 302
    assert client.get("/admin/people").status_code == 200


def test_a_new_staff_role_asks_for_the_second_factor_at_the_next_request(client, make_user):
    person = make_user("teacher", name="Promoted")
    login(client, person.email)
    assert signed_in_user_name(client) == "Promoted"
    user = db.session.get(User, person.id)
    user.set_roles(["teacher", "pd_admin"])
    db.session.commit()
    assert client.get("/").headers["Location"] == "/signin/two-factor"


def test_code_entry_is_throttled(app_factory, make_user):
    app = app_factory(RATELIMIT_ENABLED=True, TWO_FACTOR_REQUIRED=True, TWO_FACTOR_RATE_LIMIT="3 per minute")
    with app.app_context():
        db.create_all()
        from tests.helpers.app import PASSWORD
        user = account_services.save_user(db.session, None, actor=None, email="slow@school.example",
                                          display_name="Slow", roles=["pd_admin"], school=None, plcs=[],
                                          password=PASSWORD)
        db.session.commit()
        secret, _ = enrol_directly(user)
    client = app.test_client()
    login(client, "slow@school.example")
    statuses = [client.post("/signin/two-factor", data={"code": "000000"}).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    # Even the right code waits: the limit is per person, not per guess.
    assert client.post("/signin/two-factor", data={"code": totp.current_code(secret)}).status_code == 429


def test_people_can_make_new_recovery_codes_with_a_current_code(staff_client):
    client = staff_client("pd_admin")
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "10</strong> unused recovery codes" in page
    assert client.post("/account/two-factor/recovery-codes", data={"code": "123456"}).status_code == 400
    # Signing in used this step's code; the next step's is accepted (phones run a little fast or slow).
    next_code = totp.current_code(client.secret, at=time.time() + totp.INTERVAL)
    response = client.post("/account/two-factor/recovery-codes", data={"code": next_code})
    assert response.status_code == 200
    assert "Your old recovery codes no longer work" in response.get_data(as_text=True)
    assert len(_actions("signin.recovery_codes_replaced")) == 1


def test_a_site_admin_resets_someones_two_factor_and_they_are_signed_out(app, staff_client, make_user):
    admin = staff_client("site_admin")
    victim = staff_client("pd_admin", name="Lost Phone")
    page = admin.get("/admin/sign-in/two-factor").get_data(as_text=True)
    assert '<th scope="row">Lost Phone</th>' in page
    assert "Reset<span class=\"visually-hidden\"> two-factor for Lost Phone" in page

    response = admin.post(f"/admin/sign-in/two-factor/{victim.user.id}/reset")
    assert response.status_code == 302
    assert db.session.get(TotpCredential, victim.user.id) is None
    assert db.session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == victim.user.id)) is None
    assert victim.get("/").headers["Location"].startswith("/login")  # signed out everywhere
    event = _actions("signin.2fa_reset")[0]
    assert (event.actor_id, event.target_id) == (admin.user.id, victim.user.id)
    # At the next password sign-in they set up a new app.
    fresh = app.test_client()
    login(fresh, victim.user.email)
    assert fresh.get("/signin/two-factor").headers["Location"] == "/signin/two-factor/set-up"


def test_admins_cannot_reset_their_own_two_factor_and_others_cannot_reset_at_all(staff_client, as_role):
    admin = staff_client("site_admin")
    response = admin.post(f"/admin/sign-in/two-factor/{admin.user.id}/reset", follow_redirects=True)
    assert "Ask another site administrator" in response.get_data(as_text=True)
    assert db.session.get(TotpCredential, admin.user.id) is not None
    pd = staff_client("pd_admin")
    assert pd.post(f"/admin/sign-in/two-factor/{admin.user.id}/reset").status_code == 403
    assert as_role("teacher").get("/admin/sign-in/two-factor").status_code == 403
