"""What the catalogue asks the features above it (evidence, awards) through question signals: a person's
badges under way and earned, how many hold each badge, and who agreed to be asked about one."""
from __future__ import annotations

from dataclasses import dataclass

from milepost.core import signals


@dataclass(frozen=True)
class Progress:
    """Which badges one person has under way and has earned (badge ids)."""

    in_progress: frozenset = frozenset()
    earned: frozenset = frozenset()


def progress_for(session, user) -> Progress:
    in_progress, earned = set(), set()
    if user is None or not getattr(user, "is_authenticated", False):
        return Progress()
    for started, done in signals.answers(signals.progress_asked, user, session=session):
        in_progress.update(started)
        earned.update(done)
    return Progress(frozenset(in_progress - earned), frozenset(earned))


def earner_counts(session, badge_ids) -> dict[int, int]:
    counts: dict[int, int] = {}
    ids = list(badge_ids)
    for answer in signals.answers(signals.earner_counts_asked, None, session=session, badge_ids=ids):
        for badge_id, n in answer.items():
            counts[badge_id] = counts.get(badge_id, 0) + n
    return counts


def go_to_people(session, badge_id: int, limit: int = 12) -> list:
    people = []
    for answer in signals.answers(signals.go_to_people_asked, None, session=session, badge_id=badge_id, limit=limit):
        people.extend(answer)
    return people[:limit]
