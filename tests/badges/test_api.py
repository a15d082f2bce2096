"""The JSON read API: signed-in users only, same visibility as the catalogue."""
from tests.helpers.app import login


def test_anonymous_callers_get_a_401_json_answer(client, make_badge):
    make_badge()
    for url in ("/api/badges", "/api/badges/goal-setting"):
        response = client.get(url)
        assert response.status_code == 401
        assert response.is_json and response.get_json()["error"]["status"] == 401


def test_the_list_is_paginated_and_filtered(as_role, make_badge):
    for n in range(3):
        make_badge(f"badge-{n}", title=f"Badge {n}", points=10 * n)
    make_badge("hidden", status="draft")
    client = as_role("teacher")
    body = client.get("/api/badges?per_page=2&sort=title").get_json()
    assert body["total"] == 3 and body["pages"] == 2 and body["per_page"] == 2
    assert [b["slug"] for b in body["items"]] == ["badge-0", "badge-1"]
    assert body["items"][0]["url"] == "http://milepost.test/badges/badge-0"
    assert body["items"][0]["status_for_me"] == "not_started"
    body = client.get("/api/badges?min_points=15").get_json()
    assert [b["slug"] for b in body["items"]] == ["badge-2"]


def test_the_detail_holds_the_whole_badge_document(as_role, make_badge):
    make_badge("first")
    make_badge(prerequisites=["first"])
    body = as_role("teacher").get("/api/badges/goal-setting").get_json()
    assert body["document"]["rubric"]["meets_level"] == "Meets"
    assert [p["title"] for p in body["document"]["prompts"]] == ["Describe your class", "Upload three goal sheets"]
    assert body["prerequisites"] == [{"slug": "first", "title": "First", "status": "published", "met": False}]
    assert body["version"] == 1 and body["earners"] == 0


def test_drafts_are_not_found_through_the_api_except_for_authors(as_role, make_badge):
    make_badge(status="draft")
    assert as_role("teacher").get("/api/badges/goal-setting").status_code == 404
    assert as_role("pd_admin").get("/api/badges/goal-setting").status_code == 200


def test_a_signed_in_session_works_for_the_api(client, make_user, make_badge):
    make_badge()
    user = make_user("coach")
    login(client, user.email)
    assert client.get("/api/badges").status_code == 200
