"""Authoring: who may author, each validation rule, the list editors, preview, publish/retire/duplicate, images."""
import io
import struct
import zlib

import pytest
from sqlalchemy import select

from milepost.badges import services
from milepost.badges.models import Badge, BadgeVersion
from milepost.badges.services import BadgeInvalid
from milepost.extensions import db
from tests.helpers.badges import badge_doc, form_payload, outside_doc

AUTHORING_PAGES = ["/authoring/", "/authoring/badges/new", "/authoring/strands", "/authoring/strands/new",
                   "/authoring/collections", "/authoring/collections/new", "/authoring/import", "/authoring/export"]


@pytest.mark.parametrize("role", ["teacher", "coach", "leader"])
def test_people_without_an_authoring_role_get_403_on_every_authoring_page(as_role, make_badge, role):
    badge = make_badge()
    client = as_role(role)
    for url in AUTHORING_PAGES + [f"/authoring/badges/{badge.id}", f"/authoring/badges/{badge.id}/image",
                                  f"/authoring/badges/{badge.id}/export"]:
        assert client.get(url).status_code == 403, url
    for url in [f"/authoring/badges/{badge.id}/publish", f"/authoring/badges/{badge.id}/retire",
                f"/authoring/badges/{badge.id}/duplicate", "/authoring/badges/new", "/authoring/import"]:
        assert client.post(url, data=form_payload()).status_code == 403, url
    assert db.session.scalar(select(Badge).where(Badge.id == badge.id)).status == "published"


@pytest.mark.parametrize("role", ["pd_admin", "site_admin"])
def test_the_pd_office_and_site_admins_can_author(as_role, role):
    client = as_role(role)
    for url in AUTHORING_PAGES:
        assert client.get(url).status_code == 200, url


def test_anonymous_visitors_are_sent_to_sign_in_from_authoring(client):
    response = client.get("/authoring/badges/new")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_pd_admin_creates_a_draft_badge_through_the_form(as_role, make_strand):
    strand = make_strand("agency", "Learner agency")
    client = as_role("pd_admin")
    response = client.post("/authoring/badges/new", data=form_payload(strand_id=strand.id))
    assert response.status_code == 302
    badge = db.session.scalar(select(Badge).where(Badge.slug == "goal-setting"))
    assert badge.status == "draft" and badge.version == 1
    assert badge.strand.slug == "agency"
    assert [p.title for p in badge.prompts] == ["Describe your class", "Upload three goal sheets"]
    assert badge.meets_level_name == "Meets"
    assert [c.name for c in badge.criteria] == ["Goal quality", "Reflection"]
    assert badge.tags == ["agency", "goals"]
    assert badge.versions == []  # drafts are not versioned


def _post_problem(client, doc, **kwargs):
    response = client.post("/authoring/badges/new", data=form_payload(doc, **kwargs))
    assert response.status_code == 400
    return response.get_data(as_text=True)


def test_a_slug_must_be_unique(as_role, make_badge):
    make_badge("goal-setting", title="Goal setting")
    page = _post_problem(as_role("pd_admin"), badge_doc("goal-setting", title="Another"))
    assert "The slug &#39;goal-setting&#39; is already used by &#34;Goal setting&#34;" in page
    assert db.session.scalar(select(Badge).where(Badge.title == "Another")) is None


def test_a_slug_must_be_a_tidy_web_address(app):
    with pytest.raises(BadgeInvalid) as exc:
        services.save_badge(db.session, None, badge_doc("Bad Slug!"), actor=None)
    assert any(field == "slug" for field, _ in exc.value.field_problems)


def test_a_badge_needs_at_least_one_prompt(as_role):
    page = _post_problem(as_role("pd_admin"), badge_doc(prompts=[]))
    assert "Add at least one submission prompt" in page


def test_every_prompt_needs_a_title(app):
    doc = badge_doc(prompts=[{"kind": "text", "title": " ", "guidance": "", "required": True}])
    with pytest.raises(BadgeInvalid) as exc:
        services.save_badge(db.session, None, doc, actor=None)
    assert "Prompt 1 needs a title." in exc.value.problems


def test_a_practice_badge_needs_a_rubric_criterion(as_role):
    doc = badge_doc()
    doc["rubric"]["criteria"] = []
    page = _post_problem(as_role("pd_admin"), doc)
    assert "Add at least one rubric criterion" in page


def test_a_practice_badge_needs_a_meets_level(app):
    doc = badge_doc()
    doc["rubric"]["meets_level"] = None
    with pytest.raises(BadgeInvalid) as exc:
        services.save_badge(db.session, None, doc, actor=None)
    assert "Choose the rubric level that counts as \"meets\"." in exc.value.problems


def test_every_rubric_cell_must_be_described(app):
    doc = badge_doc()
    doc["rubric"]["criteria"][0]["descriptions"][2] = ""
    with pytest.raises(BadgeInvalid) as exc:
        services.save_badge(db.session, None, doc, actor=None)
    assert any("a cell is empty" in p for p in exc.value.problems)
    doc["rubric"]["criteria"][0]["descriptions"] = ["only one"]
    with pytest.raises(BadgeInvalid) as exc:
        services.save_badge(db.session, None, doc, actor=None)
    assert any("needs one for each of the 4 levels" in p for p in exc.value.problems)


def test_points_cannot_be_negative(as_role):
    page = _post_problem(as_role("pd_admin"), badge_doc(points=-5))
    assert "Points cannot be negative." in page


def test_points_must_be_a_whole_number(as_role):
    page = _post_problem(as_role("pd_admin"), badge_doc(points="ten"))
    assert "Points must be a whole number." in page


def test_credit_hours_cannot_be_negative(as_role):
    page = _post_problem(as_role("pd_admin"), badge_doc(credit_hours=-1))
    assert "Credit hours cannot be negative." in page


def test_a_badge_cannot_be_its_own_prerequisite(app):
    with pytest.raises(BadgeInvalid) as exc:
        services.save_badge(db.session, None, badge_doc("a", prerequisites=["a"]), actor=None)
    assert "A badge cannot be its own prerequisite." in exc.value.problems


def test_prerequisites_cannot_go_round_in_a_circle(as_role, make_badge):
    a = make_badge("a", title="Alpha")
    b = make_badge("b", title="Beta", prerequisites=["a"])
    c = make_badge("c", title="Gamma", prerequisites=["b"])
    client = as_role("pd_admin")
    response = client.post(f"/authoring/badges/{a.id}", data=form_payload(badge_doc("a", title="Alpha"),
                                                                         prerequisite_ids=[c.id]))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "would go round in a circle: Alpha → Gamma → Beta → Alpha" in page
    db.session.expire_all()
    assert db.session.get(Badge, a.id).prerequisites == []
    assert b.prerequisites[0].slug == "a"


def test_the_form_keeps_everything_typed_when_it_has_errors(as_role):
    doc = badge_doc(title="My unsaved title", summary="A summary I typed", points=-1)
    doc["prompts"][1]["guidance"] = "Guidance I typed"
    page = _post_problem(as_role("pd_admin"), doc)
    for typed in ("My unsaved title", "A summary I typed", "Guidance I typed", "Specific and owned", 'value="-1"'):
        assert typed in page


def test_outside_learning_badges_need_no_rubric_but_need_credit_hours(app):
    badge = services.save_badge(db.session, None, outside_doc(), actor=None)
    assert badge.kind == "outside_learning" and badge.criteria == [] and badge.meets_level is None
    with pytest.raises(BadgeInvalid) as exc:
        services.save_badge(db.session, None, outside_doc("book-study", credit_hours=0), actor=None)
    assert "An outside-learning badge needs its fixed number of credit hours." in exc.value.problems


def test_list_buttons_add_move_and_remove_prompts_without_saving(as_role):
    client = as_role("pd_admin")
    doc = badge_doc()
    response = client.post("/authoring/badges/new", data=form_payload(doc, action="prompt-down-0"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.index("Upload three goal sheets") < page.index("Describe your class")
    assert "Prompt moved." in page
    response = client.post("/authoring/badges/new", data=form_payload(doc, action="add-prompt"))
    assert 'id="prompts-2-title"' in response.get_data(as_text=True)
    response = client.post("/authoring/badges/new", data=form_payload(doc, action="prompt-remove-0"))
    page = response.get_data(as_text=True)
    assert "Describe your class" not in page and "Upload three goal sheets" in page
    assert db.session.scalar(select(Badge.id)) is None


def test_list_buttons_reorder_rubric_rows_and_levels(as_role):
    client = as_role("pd_admin")
    page = client.post("/authoring/badges/new", data=form_payload(action="criterion-up-1")).get_data(as_text=True)
    assert page.index('value="Reflection"') < page.index('value="Goal quality"')
    page = client.post("/authoring/badges/new", data=form_payload(action="add-level")).get_data(as_text=True)
    assert 'id="levels-4"' in page and 'id="criteria-1-descriptions-4"' in page
    page = client.post("/authoring/badges/new", data=form_payload(action="level-remove-0")).get_data(as_text=True)
    assert 'value="Beginning"' not in page and "Vague" not in page
    # the meets level still points at "Meets" after the levels shifted
    assert '<option selected value="1">Meets</option>' in page


def test_preview_shows_the_badge_page_and_keeps_the_form(as_role):
    client = as_role("pd_admin")
    doc = badge_doc(title="Previewed badge", research="Read <script>alert(1)</script> **this**")
    response = client.post("/authoring/badges/new", data=form_payload(doc, action="preview"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Preview" in page and "<strong>this</strong>" in page and "<script>alert" not in page
    assert 'value="Previewed badge"' in page
    assert db.session.scalar(select(Badge.id)) is None


def test_publish_retire_and_publish_again(as_role, make_badge):
    badge = make_badge(status="draft")
    client = as_role("pd_admin")
    assert client.post(f"/authoring/badges/{badge.id}/publish").status_code == 302
    db.session.expire_all()
    assert badge.status == "published" and badge.published_at is not None
    assert [v.number for v in badge.versions] == [1]
    client.post(f"/authoring/badges/{badge.id}/retire")
    db.session.expire_all()
    assert badge.status == "retired"
    client.post(f"/authoring/badges/{badge.id}/publish")
    db.session.expire_all()
    assert badge.status == "published" and badge.version == 1  # content unchanged, no new version


def test_a_draft_cannot_be_retired(as_role, make_badge):
    badge = make_badge(status="draft")
    response = as_role("pd_admin").post(f"/authoring/badges/{badge.id}/retire", follow_redirects=True)
    assert "A draft badge cannot become retired." in response.get_data(as_text=True)
    db.session.expire_all()
    assert badge.status == "draft"


def test_duplicate_makes_a_draft_copy_with_a_new_slug(as_role, make_badge):
    badge = make_badge("goal-setting", title="Goal setting")
    response = as_role("pd_admin").post(f"/authoring/badges/{badge.id}/duplicate")
    assert response.status_code == 302
    copy = db.session.scalar(select(Badge).where(Badge.slug == "goal-setting-copy"))
    assert copy.status == "draft" and copy.title == "Goal setting (copy)" and len(copy.prompts) == 2
    assert copy.versions == []


def _png(width=4, height=4) -> bytes:
    raw = b"".join(b"\0" + b"\xff\0\0" * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_an_uploaded_png_replaces_the_generated_image(as_role, make_badge):
    badge = make_badge()
    client = as_role("pd_admin")
    data = _png()
    response = client.post(f"/authoring/badges/{badge.id}/image",
                           data={"image": (io.BytesIO(data), "logo.png")}, content_type="multipart/form-data")
    assert response.status_code == 302
    shown = client.get(f"/badges/{badge.slug}/image")
    assert shown.mimetype == "image/png" and shown.data == data
    client.post(f"/authoring/badges/{badge.id}/image/clear")
    assert client.get(f"/badges/{badge.slug}/image").mimetype == "image/svg+xml"


def test_svg_and_disguised_files_are_refused_as_badge_images(as_role, make_badge):
    badge = make_badge()
    client = as_role("pd_admin")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for content, name in [(svg, "badge.svg"), (svg, "badge.png"), (b"GIF89a....", "badge.jpg")]:
        response = client.post(f"/authoring/badges/{badge.id}/image",
                               data={"image": (io.BytesIO(content), name)}, content_type="multipart/form-data")
        assert response.status_code == 400
        assert "must be a PNG or JPEG file" in response.get_data(as_text=True)
    db.session.expire_all()
    assert badge.image_sha256 is None


@pytest.fixture
def app_settings(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("app_settings", [{"BADGE_IMAGE_MAX_KB": 1}], indirect=True)
def test_badge_images_over_the_size_limit_are_refused(as_role, make_badge):
    badge = make_badge()
    big = _png() + b"\0" * 2048
    response = as_role("pd_admin").post(f"/authoring/badges/{badge.id}/image",
                                        data={"image": (io.BytesIO(big), "big.png")},
                                        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "at most 1 KB" in response.get_data(as_text=True)


@pytest.mark.parametrize("app_settings", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_authoring_forms_refuse_posts_without_a_csrf_token(app, make_user, make_badge):
    badge = make_badge(status="draft")
    user = make_user("pd_admin")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={"email": user.email, "password": "correct horse battery",
                                       "csrf_token": token}).status_code == 302
    assert client.post(f"/authoring/badges/{badge.id}/publish").status_code == 400
    response = client.post("/authoring/badges/new", data=form_payload(badge_doc("other")))
    assert response.status_code == 400
    db.session.expire_all()
    assert badge.status == "draft"
    assert db.session.scalar(select(Badge).where(Badge.slug == "other")) is None


def test_authoring_actions_are_audited(as_role, make_badge):
    from milepost.core.audit import AuditEvent
    badge = make_badge(status="draft")
    as_role("pd_admin").post(f"/authoring/badges/{badge.id}/publish")
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"badge.created", "badge.published"} <= actions
    assert db.session.scalar(select(BadgeVersion.number).where(BadgeVersion.badge_id == badge.id)) == 1

