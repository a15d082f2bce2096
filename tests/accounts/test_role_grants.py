"""The role-grant rule: who may give, change or take away which role, through every door."""
import pytest

from milepost.accounts import access
from milepost.accounts.models import User
from milepost.accounts.roster import import_roster
from milepost.accounts.services import save_user, set_active
from milepost.core.audit import AuditEvent
from milepost.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from milepost.extensions import db


def _form(user, roles, **extra):
    data = {"display_name": user.display_name, "email": user.email, "school_id": 0, "roles": roles, "active": "y"}
    data.update(extra)
    return data


def _fresh(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_the_pd_office_cannot_make_itself_site_admin(as_role):
    client = as_role("pd_admin")
    response = client.post(f"/admin/people/{client.user.id}", data=_form(client.user, ["pd_admin", "site_admin"]))
    assert response.status_code == 400
    assert _fresh(client.user).roles == {"pd_admin"}
    assert client.get("/reports/audit").status_code == 403


def test_the_pd_office_cannot_give_pd_admin_or_site_admin_to_someone_else(app, make_user):
    pd = make_user("pd_admin")
    teacher = make_user("teacher")
    for role in ("pd_admin", "site_admin"):
        with pytest.raises(ValidationFailed) as refused:
            save_user(db.session, teacher, actor=pd, email=teacher.email, display_name=teacher.display_name,
                      roles=["teacher", role], school=None, plcs=[])
        db.session.rollback()
        assert "site administrator" in refused.value.message
    assert _fresh(teacher).roles == {"teacher"}


def test_the_pd_office_manages_teachers_coaches_and_leaders(as_role, make_user):
    client = as_role("pd_admin")
    teacher = make_user("teacher")
    response = client.post(f"/admin/people/{teacher.id}", data=_form(teacher, ["teacher", "coach", "leader"]))
    assert response.status_code == 302
    assert _fresh(teacher).roles == {"teacher", "coach", "leader"}
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="user.roles_changed", target_id=teacher.id))
    assert event.actor_id == client.user.id and event.detail["roles"] == ["coach", "leader", "teacher"]


def test_the_person_form_offers_only_the_roles_the_pd_office_may_give(as_role):
    client = as_role("pd_admin")
    page = client.get("/admin/people/new").get_data(as_text=True)
    assert 'value="coach"' in page and 'value="site_admin"' not in page and 'value="pd_admin"' not in page


@pytest.mark.parametrize("target_role", ["site_admin", "pd_admin"])
def test_the_pd_office_cannot_edit_or_deactivate_a_site_admin_or_another_pd_admin(as_role, make_user, target_role):
    client = as_role("pd_admin")
    other = make_user(target_role, email="boss@school.example")
    assert client.get(f"/admin/people/{other.id}").status_code == 403
    response = client.post(f"/admin/people/{other.id}", data=_form(other, [target_role], email="me@evil.example"))
    assert response.status_code == 403
    assert client.post(f"/admin/people/{other.id}/active", data={"active": "0"}).status_code == 403
    other = _fresh(other)
    assert other.email == "boss@school.example" and other.active


def test_a_site_admin_grants_site_admin_and_pd_admin(as_role, make_user):
    client = as_role("site_admin")
    teacher = make_user("teacher")
    response = client.post(f"/admin/people/{teacher.id}", data=_form(teacher, ["pd_admin", "site_admin"]))
    assert response.status_code == 302
    assert _fresh(teacher).roles == {"pd_admin", "site_admin"}


def test_nobody_removes_or_deactivates_the_last_site_admin(app, make_user):
    admin = make_user("site_admin")
    with pytest.raises(ValidationFailed, match="last active site administrator"):
        save_user(db.session, admin, actor=admin, email=admin.email, display_name=admin.display_name,
                  roles=["teacher"], school=None, plcs=[])
    db.session.rollback()
    with pytest.raises(InvalidTransition, match="last active site administrator"):
        set_active(db.session, admin, False, actor=None)
    db.session.rollback()
    second = make_user("site_admin")
    save_user(db.session, admin, actor=second, email=admin.email, display_name=admin.display_name,
              roles=["teacher"], school=None, plcs=[])
    db.session.commit()
    assert _fresh(admin).roles == {"teacher"}
    with pytest.raises(InvalidTransition):
        set_active(db.session, second, False, actor=None)


def test_a_roster_from_the_pd_office_cannot_create_admins_and_imports_nothing(app, make_user):
    pd = make_user("pd_admin")
    existing_admin = make_user("site_admin", email="root@school.example")
    text = ("name,email,school,roles,plcs\n"
            "Fine Teacher,fine@school.example,,teacher,\n"
            "Sneaky,sneaky@school.example,,admin,\n"
            "Also Sneaky,also@school.example,,pd admin;teacher,\n"
            "Root Renamed,root@school.example,,teacher,\n")
    with pytest.raises(ValidationFailed) as refused:
        import_roster(db.session, text, actor=pd)
    db.session.rollback()
    problems = refused.value.problems
    assert len(problems) == 3
    assert problems[0].startswith("Line 3:") and "Site administrator" in problems[0]
    assert problems[1].startswith("Line 4:") and "PD office" in problems[1]
    assert problems[2].startswith("Line 5:") and "root@school.example" in problems[2]
    assert db.session.scalar(db.select(User).filter_by(email="fine@school.example")) is None
    assert _fresh(existing_admin).display_name != "Root Renamed"


def test_a_roster_page_shows_each_refused_row(as_role):
    import io
    client = as_role("pd_admin")
    data = b"name,email,roles\nSneaky,sneaky@school.example,site admin\n"
    response = client.post("/admin/roster", data={"file": (io.BytesIO(data), "r.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Line 2:" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User).filter_by(email="sneaky@school.example")) is None


def test_a_roster_from_a_site_admin_may_grant_admin_and_audits_each_grant(app, make_user):
    admin = make_user("site_admin")
    import_roster(db.session, "name,email,roles\nNew Admin,new@school.example,admin\n", actor=admin)
    db.session.commit()
    new = db.session.scalar(db.select(User).filter_by(email="new@school.example"))
    assert new.roles == {"site_admin"}
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="user.created", target_id=new.id))
    assert event.actor_id == admin.id and event.detail["roles"] == ["site_admin"]


def test_the_cli_runs_the_same_rule_for_the_last_site_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--email", "a@school.example", "--name", "A",
                                 "--role", "site_admin", "--password", "a long passphrase here"])
    assert result.exit_code == 0, result.output
    assert access.may_grant(None, "site_admin")
    user = db.session.scalar(db.select(User).filter_by(email="a@school.example"))
    with pytest.raises(InvalidTransition):
        set_active(db.session, user, False, actor=None)


def test_the_grant_table_covers_every_role():
    from milepost.core.access import ROLES
    assert set(access.ROLE_GRANTORS) == set(ROLES)
    assert access.ROLE_GRANTORS["site_admin"] == ("site_admin",)
    assert access.ROLE_GRANTORS["pd_admin"] == ("site_admin",)


def test_a_pd_admin_may_not_be_refused_for_a_teacher_edit(app, make_user):
    pd = make_user("pd_admin")
    teacher = make_user("teacher")
    set_active(db.session, teacher, False, actor=pd)
    db.session.commit()
    assert not _fresh(teacher).active
    with pytest.raises(NotAllowed):
        set_active(db.session, make_user("site_admin"), False, actor=pd)
