import pytest

from milepost.accounts.models import PLC, School, User
from milepost.core.audit import AuditEvent
from milepost.core.mail import outbox_messages
from milepost.extensions import db

ADMIN_PAGES = ["/admin/", "/admin/people", "/admin/people/new", "/admin/schools", "/admin/schools/new",
               "/admin/plcs", "/admin/plcs/new", "/admin/roster"]


@pytest.mark.parametrize("role", ["teacher", "coach", "leader"])
def test_admin_pages_are_refused_to_other_roles(as_role, role):
    client = as_role(role)
    for page in ADMIN_PAGES:
        assert client.get(page).status_code == 403, page
    assert client.post("/admin/people/new", data={"display_name": "X", "email": "x@x.example",
                                                  "roles": ["site_admin"]}).status_code == 403
    assert db.session.scalar(db.select(User).filter_by(email="x@x.example")) is None


@pytest.mark.parametrize("role", ["pd_admin", "site_admin"])
def test_admin_pages_open_for_the_pd_office_and_site_admins(as_role, role):
    client = as_role(role)
    for page in ADMIN_PAGES:
        assert client.get(page).status_code == 200, page


def test_adding_a_person_emails_them_a_welcome_link(as_role):
    client = as_role("pd_admin")
    school = School(name="Hill School")
    db.session.add(school)
    db.session.commit()
    response = client.post("/admin/people/new", data={
        "display_name": "New Teacher", "email": "New.Teacher@School.example", "school_id": school.id,
        "roles": ["teacher", "coach"], "active": "y"})
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).filter_by(email="new.teacher@school.example"))
    assert user.roles == {"teacher", "coach"} and user.school_id == school.id
    assert user.password_hash is None
    mail = outbox_messages()[-1]
    assert mail["To"] == "new.teacher@school.example" and "/reset/" in mail.get_body(("plain",)).get_content()
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="user.created", target_id=user.id))
    assert event.actor_id == client.user.id


def test_a_duplicate_email_is_refused_and_the_form_keeps_what_was_typed(as_role, make_user):
    existing = make_user(email="taken@school.example")
    client = as_role("pd_admin")
    response = client.post("/admin/people/new", data={
        "display_name": "Someone Typed This", "email": "TAKEN@school.example", "roles": ["teacher"], "school_id": 0})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Someone already uses taken@school.example" in page
    assert 'value="Someone Typed This"' in page
    assert db.session.scalar(db.select(db.func.count(User.id)).filter(User.email == existing.email)) == 1


def test_a_person_needs_a_role(as_role):
    client = as_role("pd_admin")
    response = client.post("/admin/people/new", data={"display_name": "No Role", "email": "norole@school.example",
                                                      "school_id": 0})
    assert response.status_code == 400
    assert "at least one role" in response.get_data(as_text=True)


def test_editing_a_person_changes_roles_and_plcs(as_role, make_user):
    client = as_role("site_admin")
    teacher = make_user("teacher")
    plc = PLC(name="Math team")
    db.session.add(plc)
    db.session.commit()
    response = client.post(f"/admin/people/{teacher.id}", data={
        "display_name": "Renamed", "email": teacher.email, "school_id": 0,
        "roles": ["teacher", "coach"], "plc_ids": [plc.id], "active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    teacher = db.session.get(User, teacher.id)
    assert teacher.display_name == "Renamed" and teacher.roles == {"teacher", "coach"}
    assert [m.plc_id for m in teacher.memberships] == [plc.id]


def test_deactivate_and_reactivate(as_role, make_user):
    client = as_role("pd_admin")
    teacher = make_user()
    assert client.post(f"/admin/people/{teacher.id}/active", data={"active": "0"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, teacher.id).active is False
    client.post(f"/admin/people/{teacher.id}/active", data={"active": "1"})
    db.session.expire_all()
    assert db.session.get(User, teacher.id).active is True


def test_admins_cannot_deactivate_themselves(as_role):
    client = as_role("pd_admin")
    response = client.post(f"/admin/people/{client.user.id}/active", data={"active": "0"})
    assert response.status_code == 409
    assert "your own account" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, client.user.id).active is True


def test_people_search_filters_by_name_and_role(as_role, make_user):
    client = as_role("pd_admin")
    make_user("coach", name="Zelda Coachperson")
    make_user("teacher", name="Zed Teacher")
    page = client.get("/admin/people?q=zel").get_data(as_text=True)
    assert "Zelda Coachperson" in page and "Zed Teacher" not in page
    page = client.get("/admin/people?role=coach").get_data(as_text=True)
    assert "Zelda Coachperson" in page and "Zed Teacher" not in page


def test_schools_and_plcs_are_managed_with_unique_names(as_role, make_user):
    client = as_role("pd_admin")
    assert client.post("/admin/schools/new", data={"name": "Oak School"}).status_code == 302
    duplicate = client.post("/admin/schools/new", data={"name": "oak school"})
    assert duplicate.status_code == 400 and "already a school called Oak School" in duplicate.get_data(as_text=True)
    school = db.session.scalar(db.select(School))
    facilitator = make_user("coach")
    member = make_user("teacher")
    response = client.post("/admin/plcs/new", data={"name": "Readers", "school_id": school.id,
                                                    "facilitator_id": facilitator.id, "member_ids": [member.id]})
    assert response.status_code == 302
    plc = db.session.scalar(db.select(PLC))
    assert {m.user_id for m in plc.memberships} == {facilitator.id, member.id}
    assert plc.facilitator_id == facilitator.id


def test_admin_people_list_uses_the_same_queries_for_few_and_many(as_role, make_user):
    from tests.helpers.app import count_queries

    client = as_role("pd_admin")
    school = School(name="Big School")
    db.session.add(school)
    db.session.commit()
    for _ in range(3):
        make_user(school=school)
    with count_queries() as few:
        client.get("/admin/people")
    for _ in range(20):
        make_user("coach", school=school)
    with count_queries() as many:
        client.get("/admin/people")
    assert len(few) == len(many)
