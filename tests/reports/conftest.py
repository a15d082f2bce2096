"""A small district with known numbers for the reports: three schools, three badges in two strands,
evidence sent, returned, resubmitted and awarded through the real services, a direct award, a revoked
one, one from the year before, reward claims, degree tiers, a pilot and a survey. Dates are then set
to known days of the 2025-26 school year so every figure can be asserted exactly."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from milepost.accounts.models import PLC, School, User
from milepost.awards import services as award_services
from milepost.awards.models import Award
from milepost.evidence import services as evidence
from milepost.extensions import db
from milepost.points import services as points
from milepost.points.models import RewardClaim, TierReached
from milepost.surveys.models import Pilot, PilotMember, Survey
from tests.helpers.evidence import PROMPTS
from tests.helpers.reports import District, _decide, _direct, _resubmit, _send, _times, at
from tests.helpers.surveys import answer, likert


@pytest.fixture
def app_settings():
    return {"REVIEW_POINTS": 0}  # reviewers' recognition points would add tier holders to the figures


@pytest.fixture
def district(app, make_user, make_strand, make_badge, use_chain, make_survey) -> District:
    maple, oak, pine = School(name="Maple Elementary"), School(name="Oak Middle"), School(name="Pine High")
    db.session.add_all([maple, oak, pine])
    db.session.commit()
    agency, literacy = make_strand("agency", "Learner agency"), make_strand("literacy", "Literacy")
    b1 = make_badge("goal-setting", title="Goal Setting", strand="agency", credit_hours=3, points=10, prompts=PROMPTS)
    b2 = make_badge("read-aloud", title="Read Aloud", strand="literacy", credit_hours=2, points=20, prompts=PROMPTS)
    b3 = make_badge("exit-tickets", title="Exit Tickets", credit_hours=1.5, points=10, prompts=PROMPTS)
    use_chain("coach")

    t1 = make_user("teacher", name="Tess One", school=maple)
    t2 = make_user("teacher", name="Theo Two", school=maple)
    t3 = make_user("teacher", name="Tara Three", school=oak)
    t4 = make_user("teacher", name="Tom Four", school=pine)
    coach_maple = make_user("coach", "teacher", name="Cora Maple", school=maple)
    coach_far = make_user("coach", name="Cal Far")
    pd = make_user("pd_admin", name="Dana District")
    leader = make_user("leader", name="Lee Leader")
    site = make_user("site_admin", name="Sam Site")
    plc = PLC(name="Grade 4 team", school=maple, facilitator=coach_maple)
    far_plc = PLC(name="Pine readers", school=pine, facilitator=coach_far)
    db.session.add_all([plc, far_plc])
    db.session.commit()
    from milepost.accounts.models import PLCMembership
    db.session.add_all([PLCMembership(plc_id=plc.id, user_id=t1.id), PLCMembership(plc_id=far_plc.id, user_id=t4.id)])
    db.session.commit()

    points.save_tier(db.session, None, name="Associate", description="", threshold=10, min_credit_hours=0,
                     min_strands=0, badges_per_strand=1, required_badges=[], actor=None)
    points.save_tier(db.session, None, name="Bachelor", description="", threshold=100, min_credit_hours=0,
                     min_strands=0, badges_per_strand=1, required_badges=[], actor=None)
    coffee = points.save_reward(db.session, None, name="Coffee with the superintendent", description="",
                                points_needed=10, tier=None, active=True, actor=None)
    db.session.commit()

    # t1: Goal Setting, "not yet" after 3 days, resubmitted, "meets" after 10 days.
    s1 = _send(app, t1, b1)
    _decide(s1, coach_maple, "not_yet")
    _resubmit(s1, t1)
    _decide(s1, coach_maple, "meets")
    _times(s1, at(2025, 9, 2), [(at(2025, 9, 5), at(2025, 9, 8)), (at(2025, 10, 1), at(2025, 10, 11))])
    # t2: Read Aloud, "meets" after 2 days.
    s2 = _send(app, t2, b2)
    _decide(s2, coach_maple, "meets")
    _times(s2, at(2025, 9, 10), [(at(2025, 11, 3), at(2025, 11, 5))])
    # t3 and t4: Goal Setting sent and waiting (60 and 10 days on NOW).
    s3 = _send(app, t3, b1)
    _times(s3, at(2025, 11, 20), [(at(2025, 11, 21), None)])
    s4 = _send(app, t4, b1)
    _times(s4, at(2026, 1, 5), [(at(2026, 1, 10), None)])
    # t4 also started Read Aloud (a draft).
    s5 = evidence.start_badge(db.session, t4, b2)
    db.session.commit()
    _times(s5, at(2026, 2, 1), [])
    db.session.commit()

    # A direct award in January; one revoked; one from the school year before.
    _direct(t4, b3, at(2026, 1, 15), pd)
    revoked = _direct(t2, b3, at(2025, 12, 1), pd)
    award_services.revoke_award(db.session, db.session.get(Award, revoked.id), reason="Given by mistake", by=pd)
    db.session.commit()
    _direct(t3, b2, at(2025, 7, 15), pd)

    # Tiers: everyone with points reached Associate; t3 before the school year began.
    reached = {t1.id: at(2025, 10, 11), t2.id: at(2025, 11, 5), t4.id: at(2026, 1, 15), t3.id: at(2025, 7, 15)}
    for uid, when in reached.items():
        db.session.execute(update(TierReached).where(TierReached.user_id == uid).values(reached_at=when))
    db.session.commit()

    # Reward claims: t1 waiting since 1 December, t2 fulfilled.
    for person in (t1, t2):
        points.claim_reward(db.session, coffee, user=db.session.get(User, person.id))
    db.session.commit()
    claim2 = db.session.scalar(db.select(RewardClaim).filter_by(user_id=t2.id))
    points.fulfil_claim(db.session, claim2, by=pd)
    db.session.execute(update(RewardClaim).where(RewardClaim.user_id == t1.id).values(claimed_at=at(2025, 12, 1)))
    db.session.commit()

    # A pilot: t1 and t3 with Goal Setting; a survey for everyone, answered by t1 (t2 only saved a draft).
    pilot = Pilot(name="Goal-setting pilot", starts_on=date(2025, 9, 1), ends_on=date(2026, 6, 30))
    pilot.members = [PilotMember(user_id=t1.id, role="teacher"), PilotMember(user_id=t3.id, role="teacher"),
                     PilotMember(user_id=coach_maple.id, role="reviewer")]
    pilot.badges = [b1]
    db.session.add(pilot)
    db.session.commit()
    survey = make_survey([likert()], title="Autumn check-in")
    answer(survey, db.session.get(User, t1.id), {0: 4})
    answer(survey, db.session.get(User, t2.id), {0: 3}, submit=False)
    db.session.execute(update(Survey).where(Survey.id == survey.id).values(opens_at=at(2025, 9, 1, 0),
                                                                           closes_at=at(2025, 9, 30, 23)))
    db.session.commit()
    db.session.expire_all()
    return District(maple, oak, pine, plc, agency, literacy, b1, b2, b3, t1, t2, t3, t4, coach_maple, coach_far, pd,
                    leader, site, pilot, db.session.get(Survey, survey.id), {"s1": s1, "s2": s2, "s3": s3, "s4": s4})
