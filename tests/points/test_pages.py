"""Points pages: progress, celebration, rewards, leaderboards, and the PD office's tools."""
import pytest

from milepost.awards.models import Award
from milepost.extensions import db
from milepost.points import services
from milepost.points.models import RewardClaim, TierReached
from tests.helpers.app import count_queries, login
from tests.helpers.points import make_tier


def signed_in(app, user):
    client = app.test_client()
    login(client, user.email)
    return client


def test_a_reached_tier_is_celebrated_on_the_next_page_only(app, make_user, make_badge, award):
    teacher = make_user()
    make_tier("Associate", threshold=10)
    award(teacher, make_badge("one", points=20))
    client = signed_in(app, teacher)
    first = client.get("/").get_data(as_text=True)
    assert "Congratulations! You have reached Associate" in first
    assert "Congratulations" not in client.get("/").get_data(as_text=True)
    page = client.get("/points").get_data(as_text=True)
    assert "certificate" in page
    tier_id = db.session.scalar(db.select(TierReached.tier_id))
    cert = client.get(f"/points/certificate/{tier_id}").get_data(as_text=True)
    assert "Associate" in cert and teacher.display_name in cert


def test_a_certificate_of_a_tier_not_reached_is_not_found(app, make_user):
    teacher = make_user()
    tier = make_tier("Doctorate", threshold=10000)
    assert signed_in(app, teacher).get(f"/points/certificate/{tier.id}").status_code == 404


def test_a_certificate_is_not_found_for_anyone_but_its_holder(app, make_user, make_badge, award):
    teacher, colleague = make_user(), make_user()
    tier = make_tier("Associate", threshold=10)
    award(teacher, make_badge("one", points=20))
    assert signed_in(app, teacher).get(f"/points/certificate/{tier.id}").status_code == 200
    assert signed_in(app, colleague).get(f"/points/certificate/{tier.id}").status_code == 404


def test_rewards_unlock_and_claims_are_fulfilled_without_taking_points(app, make_user, make_badge, award, as_role):
    teacher = make_user()
    reward = services.save_reward(db.session, None, name="Classroom supplies", description="", points_needed=100,
                                  tier=None, active=True, actor=None)
    db.session.commit()
    client = signed_in(app, teacher)
    refused = client.post(f"/points/rewards/{reward.id}/claim")
    assert refused.status_code == 409 and "not unlocked" in refused.get_data(as_text=True)
    award(teacher, make_badge("one", points=150))
    assert client.post(f"/points/rewards/{reward.id}/claim").status_code == 302
    assert client.post(f"/points/rewards/{reward.id}/claim").status_code == 409
    claim = db.session.scalar(db.select(RewardClaim))
    admin = as_role("pd_admin")
    assert "Classroom supplies" in admin.get("/admin/points").get_data(as_text=True)
    admin.post(f"/admin/points/claims/{claim.id}/fulfil", data={"note": "Delivered to room 12"})
    db.session.expire_all()
    assert db.session.get(RewardClaim, claim.id).status == "fulfilled"
    assert services.balance(db.session, teacher.id) == 150


def test_people_who_did_not_opt_in_are_never_named(app, make_user, make_badge, award):
    shy, proud = make_user(name="Shy Person"), make_user(name="Proud Person")
    badge = make_badge("one", points=100)
    award(shy, badge)
    award(proud, badge)
    client = signed_in(app, proud)
    client.post("/points/leaderboard-choice", data={"opt_in": "1"})
    page = client.get("/leaderboard?period=all").get_data(as_text=True)
    assert "Proud Person" in page and "Shy Person" not in page
    assert "And 1 more colleague" in page


def test_the_leaderboard_uses_the_same_queries_for_few_and_many(app, make_user, make_badge, award):
    badge = make_badge("one", points=10)
    viewer = make_user()
    client = signed_in(app, viewer)
    for _ in range(3):
        award(make_user(), badge)
    with count_queries() as few:
        client.get("/leaderboard?period=all")
        client.get("/points")
    for _ in range(15):
        person = make_user()
        award(person, badge)
        services._account(db.session, person.id).leaderboard_opt_in = True
    db.session.commit()
    with count_queries() as many:
        client.get("/leaderboard?period=all")
        client.get("/points")
    assert len(few) == len(many)


def test_direct_awards_credit_each_person_once_and_report_unknown_addresses(app, as_role, make_user, make_badge):
    admin = as_role("pd_admin")
    a, b = make_user(), make_user()
    badge = make_badge("pd-day", points=40)
    bad = admin.post("/admin/awards/direct", data={"badge_id": badge.id, "reason": "August PD day",
                                                   "emails": f"{a.email}\nnobody@school.example"})
    assert bad.status_code == 400 and "nobody@school.example" in bad.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Award.id))) == 0
    ok = admin.post("/admin/awards/direct", data={"badge_id": badge.id, "reason": "August PD day",
                                                  "emails": f"{a.email}, {b.email}"})
    assert ok.status_code == 302
    again = admin.post("/admin/awards/direct", data={"badge_id": badge.id, "reason": "August PD day",
                                                     "emails": a.email}, follow_redirects=True)
    assert "already held it" in again.get_data(as_text=True)
    assert services.balance(db.session, a.id) == 40 and services.balance(db.session, b.id) == 40


def test_the_pd_office_revokes_with_a_reason(app, as_role, make_user, make_badge, award):
    admin = as_role("pd_admin")
    teacher = make_user()
    given = award(teacher, make_badge("one", points=30))
    admin.post(f"/admin/awards/{given.id}/revoke", data={"reason": "Awarded in error"})
    db.session.expire_all()
    assert db.session.get(Award, given.id).revoked_reason == "Awarded in error"
    assert services.balance(db.session, teacher.id) == 0


@pytest.mark.parametrize("path", ["/admin/points", "/admin/points/tiers/new", "/admin/points/rewards/new",
                                  "/admin/points/adjust", "/admin/awards", "/admin/awards/direct"])
def test_the_pd_office_pages_are_refused_to_teachers_and_leaders(as_role, path):
    assert as_role("teacher").get(path).status_code == 403
    assert as_role("leader").get(path).status_code == 403
    assert as_role("pd_admin").get(path).status_code == 200


def test_only_the_earner_sets_an_awards_choices(app, make_user, make_badge, award):
    teacher, other = make_user(), make_user()
    given = award(teacher, make_badge("one"))
    assert signed_in(app, other).post(f"/awards/{given.id}/preferences", data={"go_to": "1"}).status_code == 404
    signed_in(app, teacher).post(f"/awards/{given.id}/preferences", data={"go_to": "1"})
    db.session.expire_all()
    assert db.session.get(Award, given.id).go_to is True


def test_a_tier_form_keeps_what_was_typed_on_error(as_role):
    admin = as_role("pd_admin")
    response = admin.post("/admin/points/tiers/new", data={"name": "Bachelor", "threshold": -5,
                                                           "min_credit_hours": 0, "min_strands": 0,
                                                           "badges_per_strand": 1})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "cannot be negative" in page and 'value="Bachelor"' in page
