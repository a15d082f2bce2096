"""The notification list, the unread count in the header, marking read, and the header's query cost."""
from __future__ import annotations

import re

from milepost.core.model import utcnow
from milepost.extensions import db
from milepost.notifications.models import Notification
from tests.helpers.app import count_queries


def add_notes(user, n: int, *, url: str = "/points") -> list[Notification]:
    notes = [Notification(user_id=user.id, kind="decision", subject=f"Note {i}", context={"message": f"Body {i}"},
                          url=url, email="off", created_at=utcnow()) for i in range(n)]
    db.session.add_all(notes)
    db.session.commit()
    return notes


def unread_badge(page: str) -> str | None:
    found = re.search(r'class="notice-count">(\d+)<', page)
    return found.group(1) if found else None


def test_the_header_shows_the_unread_count_and_the_list_shows_each_notification(as_role):
    client = as_role("teacher")
    add_notes(client.user, 3)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/notifications"' in home and unread_badge(home) == "3"
    page = client.get("/notifications").get_data(as_text=True)
    assert "Note 0" in page and "Body 2" in page and "Mark all as read" in page


def test_opening_a_notification_marks_it_read_and_goes_to_the_thing_concerned(as_role):
    client = as_role("teacher")
    [note] = add_notes(client.user, 1, url="/points")
    response = client.get(f"/notifications/{note.id}/open")
    assert response.status_code == 302 and response.headers["Location"].endswith("/points")
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is not None
    assert unread_badge(client.get("/").get_data(as_text=True)) is None


def test_a_link_to_another_site_is_not_followed(as_role):
    client = as_role("teacher")
    [note] = add_notes(client.user, 1, url="https://evil.example/phish")
    response = client.get(f"/notifications/{note.id}/open")
    assert response.headers["Location"].endswith("/notifications")


def test_mark_one_and_mark_all_read(as_role):
    client = as_role("teacher")
    first, *_ = add_notes(client.user, 3)
    assert client.post(f"/notifications/{first.id}/read").status_code == 302
    assert unread_badge(client.get("/").get_data(as_text=True)) == "2"
    response = client.post("/notifications/read-all", follow_redirects=True)
    assert "2 notifications marked as read." in response.get_data(as_text=True)
    assert unread_badge(client.get("/").get_data(as_text=True)) is None


def test_nobody_reads_or_marks_someone_elses_notifications(as_role, make_user):
    other = make_user()
    [note] = add_notes(other, 1)
    client = as_role("teacher")
    assert client.get(f"/notifications/{note.id}/open").status_code == 404
    assert client.post(f"/notifications/{note.id}/read").status_code == 404
    client.post("/notifications/read-all")
    assert "Note 0" not in client.get("/notifications").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None


def test_the_pages_need_a_signed_in_person(client):
    for path in ("/notifications", "/notifications/preferences"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/notifications/read-all").status_code == 302


def test_the_header_count_costs_the_same_queries_for_few_and_many_notifications(as_role):
    client = as_role("teacher")
    add_notes(client.user, 2)
    client.get("/")  # warm up
    with count_queries() as few:
        client.get("/")
    with count_queries() as few_list:
        client.get("/notifications")
    add_notes(client.user, 60)
    with count_queries() as many:
        client.get("/")
    with count_queries() as many_list:
        client.get("/notifications")
    assert len(many) == len(few)
    assert len(many_list) == len(few_list)
    assert sum("FROM notification" in q for q in many) == 1  # one COUNT for the header
