"""A page's query count must not grow with the rows it summarises.

The demo district plus a generated one of 30 teachers, each page read as its role and its queries
counted; then 90 more teachers (with their submissions, awards, reviews, ledger and survey answers)
and the same pages again: at most 15 queries, and the same number both times. Not timed: the
benchmarks in bench/ measure time."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from flask import url_for

from milepost.extensions import db
from tests.helpers.app import count_queries

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench import _district  # noqa: E402
from bench.pages import PAGES, QUERY_LIMIT  # noqa: E402

SMALL, ADDED = 30, 90
# The pages with a performance target, by their key in bench.pages.PAGES (the district dashboard is the
# "reports" page, with the review overview and the pilot dashboard beside it): each is measured here, not skipped.
ISSUE_PAGES = {"catalogue", "badge", "dashboard", "points", "queue", "scoring", "leaderboard", "reports",
               "survey_results", "award", "assertion"}


def _counts(app, cast) -> dict[str, int | None]:
    people = {"teacher": cast.teacher, "coach": cast.coach, "pd_admin": cast.pd_admin, "leader": cast.leader}
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    counts = {}
    for page in PAGES:
        values = page.values(cast)
        if page.endpoint not in endpoints or values is None:
            counts[page.key] = None
            continue
        url = url_for(page.endpoint, **values)
        client = app.test_client()
        if page.who != "public":
            _district.sign_in(client, people[page.who])
        assert client.get(url).status_code == 200, url  # first visit: any one-off writes happen here
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[page.key] = len(queries)
    return counts


@pytest.fixture
def measured(app):
    from milepost import demo_large
    from milepost.demo import seed

    seed(db.session)
    db.session.commit()
    demo_large.generate(SMALL, progress=False)
    db.session.remove()
    cast = _district.cast(SMALL)
    small = _counts(app, cast)
    db.session.remove()
    demo_large.generate(ADDED, progress=False, first_number=SMALL + 1)
    db.session.remove()
    cast = _district.cast(SMALL)  # the same people, now in a district four times larger
    large = _counts(app, cast)
    return small, large


def test_every_page_runs_a_bounded_number_of_queries_that_does_not_grow(measured):
    small, large = measured
    problems = []
    for page in PAGES:
        if small.get(page.key) is None or large.get(page.key) is None:
            problems.append(f"{page.label}: not measured ({page.endpoint} missing or nothing to show)")
        elif large[page.key] > QUERY_LIMIT or small[page.key] != large[page.key]:
            problems.append(f"{page.label}: {small[page.key]} queries at {SMALL} teachers, "
                            f"{large[page.key]} at {SMALL + ADDED}")
    assert not problems, "\n".join(problems)


def test_the_benchmark_covers_every_page_the_issue_names():
    assert ISSUE_PAGES <= {page.key for page in PAGES}, ISSUE_PAGES - {page.key for page in PAGES}
