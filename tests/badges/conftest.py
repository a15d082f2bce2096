"""Catalogue fixtures: a progress hook. (Badge documents are in tests/helpers/badges.py; make_badge and
make_strand in tests/helpers/fixtures_badges.py.)"""
from __future__ import annotations

import pytest

from milepost.core import signals


@pytest.fixture
def progress(app):
    """progress[user_id] = {"in_progress": {ids}, "earned": {ids}}; also counts earners per badge."""
    table: dict[int, dict[str, set]] = {}

    def provider(user, *, session):
        row = table.get(user.id, {})
        return row.get("in_progress", set()), row.get("earned", set())

    def counts(_sender, *, session, badge_ids):
        result = {}
        for row in table.values():
            for badge_id in row.get("earned", set()):
                if badge_id in badge_ids:
                    result[badge_id] = result.get(badge_id, 0) + 1
        return result

    signals.progress_asked.connect(provider)
    signals.earner_counts_asked.connect(counts)
    yield table
    signals.progress_asked.disconnect(provider)
    signals.earner_counts_asked.disconnect(counts)
