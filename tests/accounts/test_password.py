import re
from datetime import timedelta

import pytest

from milepost.accounts import services
from milepost.accounts.models import PasswordResetToken, User
from milepost.core.errors import InvalidTransition, ValidationFailed
from milepost.core.mail import outbox_messages
from milepost.extensions import db
from tests.helpers.app import PASSWORD, login

NEW = "a brand new passphrase"


def reset_link_from_outbox() -> str:
    body = outbox_messages()[-1].get_body(("plain",)).get_content()  # the plain part of the text+HTML mail
    return re.search(r"http://milepost\.test(/reset/\S+)", body).group(1)


def test_reset_request_says_the_same_for_unknown_addresses(client, make_user):
    user = make_user()
    known = client.post("/reset", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/reset", data={"email": "ghost@school.example"}, follow_redirects=True)
    message = "If that address has an account, a reset link is on its way."
    assert message in known.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert [m["To"] for m in outbox_messages()] == [user.email]


def test_a_reset_link_sets_a_new_password_once(client, make_user):
    user = make_user()
    client.post("/reset", data={"email": user.email})
    link = reset_link_from_outbox()
    assert client.get(link).status_code == 200
    response = client.post(link, data={"new_password": NEW, "confirm": NEW})
    assert response.status_code == 302
    client.post("/logout")
    assert login(client, user.email, PASSWORD).status_code == 400
    assert login(client, user.email, NEW).status_code == 302
    client.post("/logout")
    reused = client.post(link, data={"new_password": "another passphrase", "confirm": "another passphrase"})
    assert reused.status_code == 409
    assert "already been used" in reused.get_data(as_text=True)


def test_an_expired_reset_link_is_refused(client, make_user):
    user = make_user()
    token = services.issue_reset_token(db.session, user, hours=1)
    row = db.session.scalar(db.select(PasswordResetToken))
    row.expires_at = row.created_at - timedelta(seconds=1)
    db.session.commit()
    response = client.post(f"/reset/{token}", data={"new_password": NEW, "confirm": NEW})
    assert response.status_code == 409
    assert "expired" in response.get_data(as_text=True)
    assert login(client, user.email, PASSWORD).status_code == 302


def test_using_one_link_cancels_the_others(make_user):
    user = make_user()
    first = services.issue_reset_token(db.session, user, hours=1)
    second = services.issue_reset_token(db.session, user, hours=1)
    services.reset_password(db.session, first, NEW)
    db.session.commit()
    with pytest.raises(InvalidTransition):
        services.find_reset_token(db.session, second)


def test_a_made_up_token_is_refused(client):
    response = client.get("/reset/not-a-real-token")
    assert response.status_code == 409
    assert "not valid" in response.get_data(as_text=True)


def test_only_a_hash_of_the_token_is_stored(make_user):
    user = make_user()
    token = services.issue_reset_token(db.session, user, hours=1)
    db.session.commit()
    stored = db.session.scalar(db.select(PasswordResetToken.token_hash))
    assert token not in stored and len(stored) == 64


def test_a_short_new_password_is_refused_with_the_rule(client, make_user):
    user = make_user()
    login(client, user.email)
    response = client.post("/account/password",
                           data={"current_password": PASSWORD, "new_password": "short", "confirm": "short"})
    assert response.status_code == 400
    assert "at least 10 characters" in response.get_data(as_text=True)


def test_changing_the_password_needs_the_current_one(client, make_user):
    user = make_user()
    login(client, user.email)
    response = client.post("/account/password",
                           data={"current_password": "wrong guess!", "new_password": NEW, "confirm": NEW})
    assert response.status_code == 400
    assert "current password is not right" in response.get_data(as_text=True)
    response = client.post("/account/password",
                           data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # still signed in


def test_a_password_change_signs_out_other_sessions(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.email)
    login(phone, user.email)
    laptop.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW})
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_deactivating_someone_signs_them_out(app, make_user):
    admin = make_user("pd_admin")
    teacher = make_user("teacher")
    session = app.test_client()
    login(session, teacher.email)
    assert session.get("/").status_code == 200
    services.set_active(db.session, db.session.get(User, teacher.id), False, actor=admin)
    db.session.commit()
    assert session.get("/").status_code == 302


@pytest.mark.parametrize("weak", ["password123", "Welcome123", "aaaaaaaaaaaa", "teacher123"])
def test_common_passwords_are_refused(make_user, weak):
    user = make_user()
    with pytest.raises(ValidationFailed, match="most common"):
        services.set_password(user, weak)


def test_sign_in_starts_a_fresh_session(client, make_user):
    user = make_user()
    with client.session_transaction() as planted:
        planted["planted_by_attacker"] = "x"
    login(client, user.email)
    with client.session_transaction() as current:
        assert "planted_by_attacker" not in current and current.get("_user_id")
