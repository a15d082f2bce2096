"""Review fixtures: the badge the reviews are of. (People in every role, a chain in one line, a submission
sent with a real file and signed-in clients are in tests/helpers/fixtures_reviews.py; plain helpers in
tests/helpers/reviews.py.)"""
from __future__ import annotations

import pytest

from tests.helpers.evidence import PROMPTS


@pytest.fixture
def badge(make_badge):
    return make_badge("goal-setting", title="Goal Setting", prompts=PROMPTS)
