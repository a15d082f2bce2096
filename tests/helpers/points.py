"""Points helpers: make_tier, a degree tier with its thresholds and rules in one line."""
from milepost.extensions import db
from milepost.points import services


def make_tier(name, threshold=0, **rules):
    tier = services.save_tier(db.session, None, name=name, description="", threshold=threshold,
                              min_credit_hours=rules.get("hours", 0), min_strands=rules.get("strands", 0),
                              badges_per_strand=rules.get("per_strand", 1),
                              required_badges=rules.get("required", []), actor=None)
    db.session.commit()
    return tier
