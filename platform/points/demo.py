"""Demo degree, rewards and a few earned badges, so the points pages and leaderboards show something."""
from __future__ import annotations

from sqlalchemy import select

from milepost import demo
from milepost.awards.services import issue_award
from milepost.badges.models import Badge
from milepost.badges.services import current_version
from milepost.points import services
from milepost.points.models import DegreeTier

TIERS = [
    ("Associate of Practice", "Your first steps: a few badges put into practice in your classroom.", 300, 0, 0, 1, []),
    ("Bachelor of Practice", "Breadth: badges across three of the district's priorities.", 800, 8, 3, 1, []),
    ("Master of Practice", "Depth and breadth: two badges in each of four strands.", 1600, 20, 4, 2, []),
    ("Doctor of Practice", "Leadership: the level-3 capstones that change a school's practice.", 2800, 36, 5, 2,
     ["student-led-conferences", "multiple-pathways-to-mastery"]),
]
REWARDS = [
    ("A thank-you note from the superintendent", "A handwritten note recognising your work.", 300, None),
    ("Classroom supplies voucher", "A voucher for materials your students need.", None, "Bachelor of Practice"),
    ("A choice PD day", "A day to visit classrooms or attend a conference of your choice.", None, "Master of Practice"),
]
# (email, badge slugs earned, shown on the leaderboard)
EARNED = [
    ("alicia.chen@riverbend.example", ["clear-learning-targets", "student-goal-setting", "knowing-your-learners",
                                       "two-way-family-communication"], True),
    ("ben.adeyemi@riverbend.example", ["clear-learning-targets", "student-data-privacy-essentials"], False),
    ("elena.petrova@riverbend.example", ["student-goal-setting", "self-assessment-and-reflection",
                                         "purposeful-technology-choices", "pre-assessment-starting-points",
                                         "knowing-your-learners"], True),
    ("farid.haddad@riverbend.example", ["two-way-family-communication"], False),
    ("grace.okafor@riverbend.example", ["clear-learning-targets", "formative-checks-that-shape-teaching",
                                        "student-goal-setting"], True),
]


def seed_points(session, people: dict) -> None:
    if session.scalar(select(DegreeTier.id).limit(1)) is not None:
        return
    badges = {b.slug: b for b in session.scalars(select(Badge))}
    tiers = {}
    for name, description, threshold, hours, strands, per_strand, required in TIERS:
        tiers[name] = services.save_tier(session, None, name=name, description=description, threshold=threshold,
                                         min_credit_hours=hours, min_strands=strands, badges_per_strand=per_strand,
                                         required_badges=[badges[s] for s in required if s in badges], actor=None)
    for name, description, points, tier in REWARDS:
        services.save_reward(session, None, name=name, description=description, points_needed=points,
                             tier=tiers.get(tier), active=True, actor=None)
    coach = people.get("grace.okafor@riverbend.example")
    for email, slugs, shown in EARNED:
        person = people.get(email)
        if person is None:
            continue
        for slug in slugs:
            badge = badges.get(slug)
            if badge is not None and badge.status == "published":
                issue_award(session, user_id=person.id, badge=badge, version=current_version(session, badge),
                            by=coach if person is not coach else people.get("tomas.rivera@riverbend.example"))
        services._account(session, person.id).leaderboard_opt_in = shown


if seed_points not in demo.STEPS:
    demo.STEPS.append(seed_points)
