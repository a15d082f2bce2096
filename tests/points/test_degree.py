"""Degree tiers: thresholds, breadth across strands, required badges; reached exactly once."""
from milepost.core.mail import outbox_messages
from milepost.extensions import db
from milepost.points import services
from milepost.points.models import TierReached
from tests.helpers.points import make_tier


def test_a_tier_is_reached_once_and_emailed(make_user, make_badge, award):
    teacher = make_user()
    tier = make_tier("Associate", threshold=100)
    award(teacher, make_badge("one", points=60))
    assert db.session.scalar(db.select(db.func.count(TierReached.id))) == 0
    award(teacher, make_badge("two", points=60))
    award(teacher, make_badge("three", points=60))
    reached = db.session.scalars(db.select(TierReached)).all()
    assert [(r.user_id, r.tier_id) for r in reached] == [(teacher.id, tier.id)]
    mails = [m for m in outbox_messages() if "Associate" in m["Subject"]]
    assert len(mails) == 1 and mails[0]["To"] == teacher.email


def test_breadth_needs_badges_in_enough_strands(make_user, make_badge, make_strand, award):
    teacher = make_user()
    make_strand("agency")
    make_strand("assessment")
    tier = make_tier("Bachelor", threshold=0, strands=2, per_strand=1)
    award(teacher, make_badge("one", strand="agency"))
    award(teacher, make_badge("two", strand="agency"))
    check = services.check_tier(tier, services.standing(db.session, teacher.id))
    assert not check.met and check.strands_missing == 1
    award(teacher, make_badge("three", strand="assessment"))
    progress = services.degree_progress(db.session, teacher.id)
    assert progress.current.id == tier.id and progress.next is None


def test_required_badges_and_credit_hours(make_user, make_badge, award):
    teacher = make_user()
    capstone = make_badge("capstone", credit_hours=10)
    other = make_badge("other", credit_hours=3)
    tier = make_tier("Master", threshold=0, hours=12, required=[capstone])
    award(teacher, other)
    check = services.check_tier(tier, services.standing(db.session, teacher.id))
    assert [b.slug for b in check.badges_missing] == ["capstone"] and check.hours_missing == 9
    award(teacher, capstone)
    assert services.check_tier(tier, services.standing(db.session, teacher.id)).met


def test_the_next_tier_says_what_is_missing(make_user, make_badge, award):
    teacher = make_user()
    make_tier("Associate", threshold=50)
    make_tier("Bachelor", threshold=300)
    award(teacher, make_badge("one", points=120))
    progress = services.degree_progress(db.session, teacher.id)
    assert progress.current.name == "Associate"
    assert progress.next.tier.name == "Bachelor" and progress.next.points_missing == 180
