"""The one-click unsubscribe link: works without signing in, only for its own recipient and kind."""
from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeSerializer

from milepost.extensions import db
from milepost.notifications import services
from milepost.notifications.services import channel_for, notify, unsubscribe_token


@pytest.fixture
def ana(make_user):
    return make_user(name="Ana")


@pytest.fixture
def ben(make_user):
    return make_user(name="Ben")


def link_in(mail) -> str:
    return re.search(r"<http://milepost\.test(/notifications/unsubscribe/[^>]+)>", mail["List-Unsubscribe"]).group(1)


def test_the_link_in_a_mail_unsubscribes_without_signing_in(client, smtp, ana, ben):
    notify(db.session, ana, "award_issued", subject="You earned it", context={"message": "x"}, url="/points")
    db.session.commit()
    path = link_in(smtp.messages[0])
    assert path in smtp.messages[0].get_body(("plain",)).get_content()
    confirm = client.get(path)
    assert confirm.status_code == 200 and "Badges awarded" in confirm.get_data(as_text=True)
    assert channel_for(db.session, ana.id, "award_issued") == "immediate"  # a GET (link preview) changes nothing
    done = client.post(path)
    assert done.status_code == 200 and "no more" in done.get_data(as_text=True)
    db.session.expire_all()
    assert channel_for(db.session, ana.id, "award_issued") == "off"
    assert channel_for(db.session, ana.id, "decision") == "immediate"  # only its own kind
    assert channel_for(db.session, ben.id, "award_issued") == "immediate"  # only its own recipient


def test_mail_apps_can_post_the_one_click_unsubscribe_without_a_csrf_token(app, client, ana):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/notifications/unsubscribe/{unsubscribe_token(ana.id, 'decision')}",
                           data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.expire_all()
    assert channel_for(db.session, ana.id, "decision") == "off"


def test_a_tampered_token_is_refused(client, ana, ben):
    token = unsubscribe_token(ana.id, "decision")
    payload, signature = token.rsplit(".", 1)
    # Ben's id and kind with Ana's signature.
    other_payload = unsubscribe_token(ben.id, "decision").rsplit(".", 1)[0]
    forged = URLSafeSerializer("not-the-secret", salt="milepost.notifications.unsubscribe").dumps([ben.id, "decision"])
    for bad in (other_payload + "." + signature, payload + "x." + signature, token[:-2], forged, "nonsense"):
        response = client.post(f"/notifications/unsubscribe/{bad}")
        assert response.status_code == 404, bad
    db.session.expire_all()
    assert channel_for(db.session, ana.id, "decision") == "immediate"
    assert channel_for(db.session, ben.id, "decision") == "immediate"


def test_another_persons_token_changes_only_that_person_whoever_uses_it(as_role, ana):
    ben_client = as_role("teacher")
    ben_client.post(f"/notifications/unsubscribe/{unsubscribe_token(ana.id, 'decision')}")
    db.session.expire_all()
    assert channel_for(db.session, ben_client.user.id, "decision") == "immediate"


def test_security_kinds_cannot_be_unsubscribed_even_with_a_signed_token(client, ana):
    response = client.post(f"/notifications/unsubscribe/{unsubscribe_token(ana.id, 'password_reset')}")
    assert response.status_code == 404


def test_the_digest_link_turns_off_every_kind_that_was_in_the_digest(client, ana):
    services.set_preference(db.session, ana.id, "decision", "digest")
    services.set_preference(db.session, ana.id, "survey_open", "digest")
    db.session.commit()
    client.post(f"/notifications/unsubscribe/{unsubscribe_token(ana.id, services.DIGEST_ALL)}")
    db.session.expire_all()
    chosen = services.preferences(db.session, ana.id)
    assert chosen["decision"] == chosen["survey_open"] == chosen["review_waiting"] == "off"
    assert chosen["award_issued"] == "immediate"
