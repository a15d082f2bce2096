"""Demo degree tiers and rewards. The badges the demo teachers earn, the points, the tiers they reach and the
rewards they claim come after, through the review chain (milepost.reviews.demo)."""
from __future__ import annotations

from sqlalchemy import select

from milepost.badges.models import Badge
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



# The school year of activity runs once the degree exists (its awards reach tiers as they happen).
