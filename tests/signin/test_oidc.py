"""Signing in with a district OpenID Connect provider: a real one (node-oidc-provider) runs on
127.0.0.1; the Flask test client goes to it and back; requests plays the browser at the provider."""
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from sqlalchemy import select

from milepost.accounts.models import User
from milepost.core.audit import AuditEvent
from milepost.extensions import db
from milepost.signin import services
from milepost.signin.models import ExternalIdentity
from tests.helpers.signin import (
    DOMAIN,
    back_to_milepost,
    provider_login,
    signed_in_user_name,
    sso_sign_in,
    start_sign_in,
)


def _refused(response, reason: str, status: int) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert f"<code>{reason}</code>" in page, page
    return page


def _not_signed_in(client) -> None:
    assert client.get("/").headers["Location"].startswith("/login")


def test_the_login_page_shows_no_provider_buttons_when_there_are_none(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with" not in page
    assert "signin-providers" not in page


def test_the_login_page_shows_a_button_for_each_enabled_provider(client, district):
    page = client.get("/login?next=/admin/").get_data(as_text=True)
    assert "Sign in with District" in page
    assert "/signin/district?next=/admin/" in page
    services.save_provider(db.session, district, actor=None, name="District", kind="oidc", issuer=district.issuer,
                           client_id=district.client_id, client_secret="", allowed_domains=DOMAIN,
                           create_accounts=False, trust_unverified_email_claim=False, enabled=False)
    db.session.commit()
    assert "Sign in with District" not in client.get("/login").get_data(as_text=True)
    assert client.get("/signin/district").status_code == 404


def test_the_authorization_request_carries_pkce_state_and_nonce(client, district, oidc_provider):
    url = start_sign_in(client)
    assert url.startswith(oidc_provider.issuer + "/auth?")
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["response_type"] == ["code"] and query["client_id"] == ["milepost-test"]
    assert "openid" in query["scope"][0].split()
    with client.session_transaction() as session:
        flow = session["signin_flow"]
    # The verifier stays with us; only its hash went to the provider.
    assert flow["verifier"] not in url


def test_a_roster_account_is_linked_on_first_sign_in_and_found_by_subject_afterwards(client, district, make_user,
                                                                                     oidc_provider):
    person = make_user("teacher", email=f"ada.lovelace@{DOMAIN}", name="Ada Lovelace")
    sub = oidc_provider.add_account(f"Ada.Lovelace@{DOMAIN}", name="Ada L.")

    response = sso_sign_in(client, sub)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in_user_name(client) == "Ada Lovelace"
    identity = db.session.scalar(select(ExternalIdentity).where(ExternalIdentity.subject == sub))
    assert identity.user_id == person.id and identity.provider_id == district.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "signin.linked")).target_id == person.id

    # The provider changes the address; the link holds by subject, not by email.
    client.post("/logout")
    make_user("teacher", email=f"ada.new@{DOMAIN}", name="Someone Else")
    oidc_provider.add_account(f"ada.new@{DOMAIN}", sub=sub)
    assert sso_sign_in(client, sub).status_code == 302
    assert signed_in_user_name(client) == "Ada Lovelace"
    assert (db.session.scalar(select(ExternalIdentity.email).where(ExternalIdentity.subject == sub))
            == f"ada.new@{DOMAIN}")


def test_signing_in_keeps_the_page_asked_for(client, district, make_user, oidc_provider):
    make_user("pd_admin", email=f"pd@{DOMAIN}")
    sub = oidc_provider.add_account(f"pd@{DOMAIN}")
    url = start_sign_in(client, next="/admin/people")
    response = back_to_milepost(client, provider_login(url, sub))
    assert response.headers["Location"] == "/admin/people"
    # A district account counts as strong sign-in: no authenticator code is asked of a PD admin.
    assert client.get("/admin/people").status_code == 200


def test_someone_without_an_account_is_refused_unless_the_provider_may_create_accounts(client, district,
                                                                                      oidc_provider):
    sub = oidc_provider.add_account(f"new.teacher@{DOMAIN}", name="Grace Hopper")
    page = _refused(sso_sign_in(client, sub), "no_account", 403)
    assert f"There is no account for new.teacher@{DOMAIN} yet" in page
    _not_signed_in(client)

    district.create_accounts = True
    db.session.commit()
    assert sso_sign_in(client, sub).status_code == 302
    assert signed_in_user_name(client) == "Grace Hopper"
    user = db.session.scalar(select(User).where(User.email == f"new.teacher@{DOMAIN}"))
    assert user.roles == {"teacher"} and user.password_hash is None
    assert (db.session.scalar(select(AuditEvent).where(AuditEvent.action == "signin.account_created")).target_id
            == user.id)


def test_an_unverified_email_is_refused(client, district, make_user, oidc_provider):
    make_user("teacher", email=f"mallory@{DOMAIN}")
    sub = oidc_provider.add_account(f"mallory@{DOMAIN}", verified=False)
    page = _refused(sso_sign_in(client, sub), "unverified_email", 403)
    assert "has not confirmed that" in page
    _not_signed_in(client)
    assert db.session.scalar(select(ExternalIdentity)) is None


def test_an_address_outside_the_allowed_domains_is_refused(client, district, make_user, oidc_provider):
    make_user("teacher", email="someone@gmail.example")
    sub = oidc_provider.add_account("someone@gmail.example")
    page = _refused(sso_sign_in(client, sub), "domain", 403)
    assert "Accounts at gmail.example cannot sign in here with District" in page
    _not_signed_in(client)


def test_a_deactivated_account_is_refused(client, district, make_user, oidc_provider):
    make_user("teacher", email=f"gone@{DOMAIN}", active=False)
    sub = oidc_provider.add_account(f"gone@{DOMAIN}")
    assert "has been deactivated" in _refused(sso_sign_in(client, sub), "deactivated", 403)
    _not_signed_in(client)


def test_removing_a_domain_signs_its_people_out_and_refuses_their_next_sign_in(app, client, district, make_user,
                                                                             oidc_provider):
    person = make_user("teacher", email=f"kim@{DOMAIN}", name="Kim")
    sub = oidc_provider.add_account(f"kim@{DOMAIN}")
    sso_sign_in(client, sub)
    assert signed_in_user_name(client) == "Kim"

    services.save_provider(db.session, district, actor=None, name="District", kind="oidc", issuer=district.issuer,
                           client_id=district.client_id, client_secret="", allowed_domains="other.example",
                           create_accounts=False, trust_unverified_email_claim=False, enabled=True)
    db.session.commit()
    _not_signed_in(client)  # at the very next request
    _refused(sso_sign_in(client, sub), "domain", 403)
    _not_signed_in(client)
    assert db.session.get(User, person.id).active  # the account itself is untouched


@pytest.mark.parametrize("mutation, reason", [
    ("tampered", "signature"),
    ("wrong_audience", "aud"),
    ("expired", "expired"),
    ("wrong_issuer", "iss"),
    ("wrong_nonce", "nonce"),
])
def test_an_id_token_that_fails_verification_is_refused(client, district, make_user, oidc_provider, mutation, reason,
                                                        caplog):
    make_user("teacher", email=f"victim@{DOMAIN}")
    sub = oidc_provider.add_account(f"victim@{DOMAIN}", mutation=mutation)
    page = _refused(sso_sign_in(client, sub), reason, 400)
    assert "We could not confirm your sign-in" in page
    _not_signed_in(client)
    assert db.session.scalar(select(ExternalIdentity)) is None
    assert f"sign-in with district refused ({reason})" in caplog.text


def test_a_code_obtained_with_another_nonce_is_refused(client, district, make_user, oidc_provider):
    """Code injection: the provider really issues the token, but for an authorization request
    with a nonce this browser's session never made."""
    make_user("teacher", email=f"victim2@{DOMAIN}")
    sub = oidc_provider.add_account(f"victim2@{DOMAIN}")

    def other_nonce(url: str) -> str:
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        query["nonce"] = "an-attackers-nonce-of-sufficient-length"
        return urlunsplit(parts._replace(query=urlencode(query)))

    _refused(sso_sign_in(client, sub, change_url=other_nonce), "nonce", 400)
    _not_signed_in(client)


def test_a_callback_with_the_wrong_state_or_no_flow_is_refused(client, district, make_user, oidc_provider):
    make_user("teacher", email=f"victim3@{DOMAIN}")
    sub = oidc_provider.add_account(f"victim3@{DOMAIN}")
    callback = provider_login(start_sign_in(client), sub)
    forged = callback.replace("state=", "state=x")
    _refused(back_to_milepost(client, forged), "state", 400)
    # The flow was used up by that attempt: the genuine callback cannot be replayed afterwards.
    _refused(back_to_milepost(client, callback), "no_flow", 400)
    # Login CSRF: a callback arriving in a browser that never started a sign-in.
    other = client.application.test_client()
    _refused(back_to_milepost(other, callback), "no_flow", 400)
    _not_signed_in(client)


def test_cancelling_at_the_provider_gives_a_kind_message(client, district):
    url = start_sign_in(client)
    state = parse_qs(urlsplit(url).query)["state"][0]
    response = client.get("/signin/district/callback", query_string={"error": "access_denied", "state": state})
    assert "If you cancelled, that is fine" in _refused(response, "provider_error:access_denied", 400)


def test_a_provider_that_does_not_answer_gets_a_clear_page(client, app, make_user):
    services.save_provider(db.session, None, actor=None, name="Down", kind="oidc", issuer="http://127.0.0.1:9",
                           client_id="x", client_secret="y", allowed_domains="", create_accounts=False,
                           trust_unverified_email_claim=False, enabled=True)
    db.session.commit()
    response = client.get("/signin/down")
    assert "did not answer" in _refused(response, "unreachable", 400)


def test_every_sign_in_with_the_provider_is_an_account_login_in_the_audit_log(client, district, make_user,
                                                                              oidc_provider):
    person = make_user("teacher", email=f"grace.hopper@{DOMAIN}", name="Grace Hopper")
    sub = oidc_provider.add_account(f"grace.hopper@{DOMAIN}", name="Grace H.")
    for _ in range(2):  # the first sign-in links the account; the second finds it by subject
        assert sso_sign_in(client, sub).status_code == 302
        client.post("/logout")
    logins = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.login")
                                .order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.target_id, e.detail) for e in logins] == [
        (person.id, person.id, {"method": "provider", "provider": district.slug})] * 2
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "signin.linked")).all()) == 1
    refused = oidc_provider.add_account("someone@elsewhere.example")
    sso_sign_in(client, refused)
    assert db.session.scalar(select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "account.login")) == 2
