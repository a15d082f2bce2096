"""The catalogue page and the badge page run the same number of SQL queries with 10 and 500 badges."""
from milepost.badges.models import Badge, BadgePrompt, BadgeTag, RubricCriterion, Strand
from milepost.extensions import db
from tests.helpers.app import count_queries


def add_badges(n: int, start: int = 0) -> None:
    """Many published badges in one go (the services path is tested elsewhere; this is about reads)."""
    strands = db.session.query(Strand).order_by(Strand.id).all()
    if not strands:
        strands = [Strand(slug=f"strand-{i}", name=f"Strand {i}", position=i) for i in range(7)]
        db.session.add_all(strands)
    badges = []
    for i in range(start, start + n):
        badge = Badge(slug=f"badge-{i:04d}", title=f"Badge {i:04d}", status="published", summary="Summary",
                      competency="Competency", points=i % 40, credit_hours=i % 7, level=i % 3 + 1,
                      strand=strands[i % len(strands)], rubric_levels=["Not yet", "Meets"], meets_level=1)
        badge.prompts = [BadgePrompt(position=0, kind="text", title="Reflect")]
        badge.criteria = [RubricCriterion(position=0, name="Quality", descriptions=["a", "b"])]
        badge.tag_rows = [BadgeTag(tag="tag"), BadgeTag(tag=f"t{i % 5}")]
        if badges:
            badge.prerequisites = [badges[-1]]
        badges.append(badge)
    db.session.add_all(badges)
    db.session.commit()


def page_queries(client, url: str) -> int:
    client.get(url)  # warm up: sign-in session, caches
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_catalogue_and_badge_page_queries_do_not_grow_with_the_catalogue(as_role):
    client = as_role("teacher")
    add_badges(10)
    small = {url: page_queries(client, url) for url in (
        "/badges/", "/badges/?q=badge&strand=strand-1&level=2&status=not_started&sort=points_desc",
        "/badges/badge-0005", "/api/badges", "/api/badges/badge-0005")}
    add_badges(490, start=10)
    large = {url: page_queries(client, url) for url in small}
    assert large == small
