"""The catalogue: visibility, search, filters, status for me, prerequisite locking, sort and pages."""
import re

import pytest

from milepost.badges import services
from milepost.badges.services import CatalogueFilters, Progress
from milepost.extensions import db
from tests.helpers.badges import outside_doc


def titles(page: str) -> list[str]:
    return re.findall(r'<h2><a href="/badges/[^"]+">([^<]+)</a></h2>', page)


def test_the_catalogue_shows_published_badges_to_every_signed_in_person(as_role, make_badge):
    make_badge("published-one", title="Published one")
    make_badge("draft-one", title="Draft one", status="draft")
    make_badge("retired-one", title="Retired one", status="retired")
    page = as_role("teacher").get("/badges/").get_data(as_text=True)
    assert titles(page) == ["Published one"]


def test_anonymous_visitors_cannot_see_the_catalogue(client, make_badge):
    make_badge()
    assert client.get("/badges/").status_code == 302
    assert client.get("/badges/goal-setting").status_code == 302


def test_drafts_are_visible_only_to_authors(as_role, make_badge):
    make_badge(status="draft", title="Secret draft")
    assert as_role("teacher").get("/badges/goal-setting").status_code == 404
    assert as_role("coach").get("/badges/goal-setting/image.png").status_code == 404
    response = as_role("pd_admin").get("/badges/goal-setting")
    assert response.status_code == 200 and "Only the PD office can see this draft." in response.get_data(as_text=True)


def test_a_retired_badge_stays_visible_to_people_who_hold_it(as_role, make_badge, progress):
    badge = make_badge(status="retired", title="Old favourite")
    holder, other = as_role("teacher"), as_role("teacher")
    progress[holder.user.id] = {"earned": {badge.id}}
    assert holder.get("/badges/goal-setting").status_code == 200
    assert "Old favourite" in holder.get("/badges/").get_data(as_text=True)
    assert other.get("/badges/goal-setting").status_code == 404
    assert "Old favourite" not in other.get("/badges/").get_data(as_text=True)
    assert as_role("pd_admin").get("/badges/goal-setting").status_code == 200


def test_search_looks_in_title_summary_competency_and_tags(as_role, make_badge):
    make_badge("a", title="Family conferences", summary="Talk with families.", competency="Plans meetings.",
               tags=["partnership"])
    make_badge("b", title="Exit tickets", summary="Quick checks for understanding.", competency="Uses data daily.",
               tags=["assessment"])
    make_badge("c", title="Digital footprints", summary="Privacy lessons.", competency="Teaches consent online.",
               tags=["privacy", "citizenship"])
    client = as_role("teacher")

    def search(q):
        return titles(client.get("/badges/", query_string={"q": q}).get_data(as_text=True))

    assert search("conferences") == ["Family conferences"]          # title
    assert search("UNDERSTANDING") == ["Exit tickets"]              # summary, any case
    assert search("consent") == ["Digital footprints"]              # competency
    assert search("citizen") == ["Digital footprints"]              # tag
    assert search("families plans") == ["Family conferences"]       # every word must match
    assert search("100%") == [] and search("_") == []               # LIKE wildcards are literal


def test_filters_by_strand_level_kind_points_and_hours(as_role, make_badge, make_strand):
    make_strand("agency", "Learner agency")
    make_strand("data", "Data and assessment")
    make_badge("a", title="Agency one", strand="agency", level=1, points=10, credit_hours=2)
    make_badge("b", title="Agency two", strand="agency", level=2, points=20, credit_hours=4)
    make_badge("c", title="Data three", strand="data", level=3, points=30, credit_hours=6)
    conference = {k: v for k, v in outside_doc("conf").items() if k not in ("slug", "status")}
    make_badge("conf", **{**conference, "title": "Conference", "points": 5, "credit_hours": 7})
    client = as_role("teacher")

    def found(**args):
        return sorted(titles(client.get("/badges/", query_string=args).get_data(as_text=True)))

    assert found(strand="agency") == ["Agency one", "Agency two"]
    assert found(level="3") == ["Data three"]
    assert found(strand="agency", level="2") == ["Agency two"]
    assert found(kind="outside_learning") == ["Conference"]
    assert found(min_points="15", max_points="30") == ["Agency two", "Data three"]
    assert found(min_hours="4.5") == ["Conference", "Data three"]
    assert found(max_hours="2") == ["Agency one"]
    assert found(min_points="junk") == ["Agency one", "Agency two", "Conference", "Data three"]


def test_browse_by_strand_lists_strands_in_the_pd_offices_order_with_counts(as_role, make_badge, make_strand):
    make_strand("zeta", "Zeta strand")
    alpha = make_strand("alpha", "Alpha strand")
    make_badge("a", strand="alpha")
    make_badge("b", strand="alpha", status="draft")
    services.move_strand(db.session, alpha, -1, actor=None)
    db.session.commit()
    page = as_role("teacher").get("/badges/").get_data(as_text=True)
    assert page.index("Alpha strand") < page.index("Zeta strand")
    assert re.search(r"Alpha strand <span class=\"muted\">\(1\)</span>", page)


def test_filter_by_collection(as_role, make_badge):
    a = make_badge("a", title="In the pilot")
    make_badge("b", title="Not in the pilot")
    services.save_collection(db.session, None, slug="pilot-2026", name="Pilot 2026", description="", badges=[a],
                             actor=None)
    db.session.commit()
    page = as_role("teacher").get("/badges/?collection=pilot-2026").get_data(as_text=True)
    assert titles(page) == ["In the pilot"]


def test_status_for_me_filters_not_started_in_progress_earned_and_locked(as_role, make_badge, progress):
    earned = make_badge("earned", title="Earned badge")
    started = make_badge("started", title="Started badge")
    make_badge("open", title="Open badge")
    make_badge("locked", title="Locked badge", prerequisites=["open"])
    make_badge("unlocked", title="Unlocked badge", prerequisites=["earned"])
    client = as_role("teacher")
    progress[client.user.id] = {"earned": {earned.id}, "in_progress": {started.id}}

    def found(status):
        return sorted(titles(client.get("/badges/", query_string={"status": status}).get_data(as_text=True)))

    assert found("earned") == ["Earned badge"]
    assert found("in_progress") == ["Started badge"]
    assert found("locked") == ["Locked badge"]
    assert found("not_started") == ["Open badge", "Unlocked badge"]


def test_prerequisite_locking_on_the_badge_page(as_role, make_badge, progress):
    first = make_badge("first", title="First steps")
    make_badge("second", title="Second steps", prerequisites=["first"])
    client = as_role("teacher")
    page = client.get("/badges/second").get_data(as_text=True)
    assert "Locked by prerequisites" in page and "not yet earned" in page
    progress[client.user.id] = {"earned": {first.id}}
    page = client.get("/badges/second").get_data(as_text=True)
    assert "Locked by prerequisites" not in page and "pill-success\">met" in page


def test_a_prerequisite_that_is_no_longer_offered_does_not_lock(make_badge):
    first = make_badge("first", status="retired")
    second = make_badge("second", prerequisites=["first"])
    assert services.status_for(second, Progress()) == "not_started"
    assert first.status == "retired"


def test_sorting_by_points_and_title(as_role, make_badge):
    make_badge("b", title="Bravo", points=5)
    make_badge("a", title="alpha", points=20)
    make_badge("c", title="Charlie", points=10)
    client = as_role("teacher")
    assert titles(client.get("/badges/?sort=points_desc").get_data(as_text=True)) == ["alpha", "Charlie", "Bravo"]
    assert titles(client.get("/badges/?sort=points_asc").get_data(as_text=True)) == ["Bravo", "Charlie", "alpha"]
    assert titles(client.get("/badges/?sort=title").get_data(as_text=True)) == ["alpha", "Bravo", "Charlie"]


@pytest.fixture
def app_settings(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("app_settings", [{"PAGE_SIZE": 2}], indirect=True)
def test_the_catalogue_is_paginated(as_role, make_badge):
    for n in range(5):
        make_badge(f"badge-{n}", title=f"Badge {n}")
    client = as_role("teacher")
    first = client.get("/badges/?sort=title").get_data(as_text=True)
    assert titles(first) == ["Badge 0", "Badge 1"] and "Page 1 of 3" in first
    last = client.get("/badges/?sort=title&page=3").get_data(as_text=True)
    assert titles(last) == ["Badge 4"]


def test_the_badge_page_shows_what_a_teacher_needs_before_starting(as_role, make_badge, make_strand, progress):
    make_strand("agency", "Learner agency")
    badge = make_badge(strand="agency", title="Goal setting", estimated_time="6-8 hours")
    progress[0] = {"earned": {badge.id}}  # someone else holds it
    page = as_role("teacher").get("/badges/goal-setting").get_data(as_text=True)
    for text in ("Goal setting", "Learner agency", "The educator coaches students", "Goal conferences: <em>short</em>",
                 "Describe your class", "Upload three goal sheets", "Specific and owned", "6-8 hours",
                 "No prerequisites", "1 colleague has earned this badge", "<strong>self-reported grades</strong>",
                 'href="https://example.org/guide" rel="noopener noreferrer nofollow"'):
        assert text in page, text
    assert '<th scope="col" class="meets">Meets' in page


def test_markdown_in_a_badge_cannot_inject_html(as_role, make_badge):
    make_badge(research='<img src=x onerror="alert(1)"> [click](javascript:alert(2)) <script>bad()</script>')
    page = as_role("teacher").get("/badges/goal-setting").get_data(as_text=True)
    assert "onerror" not in page and "javascript:" not in page and "bad()" not in page


def test_catalogue_query_in_plain_python(make_badge):
    make_badge("x", title="Xylophone routines", tags=["music"])
    query = services.catalogue_query(CatalogueFilters(q="music"), Progress())
    assert [b.slug for b in db.session.scalars(query)] == ["x"]
