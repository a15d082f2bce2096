from milepost.accounts.models import PLC, School, User
from milepost.demo import seed
from milepost.extensions import db
from tests.conftest import login


def counts():
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(m)) for m in (User, School, PLC))


def test_seed_demo_twice_adds_nothing_the_second_time(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "alicia.chen@riverbend.example" in first.output and "milepost-demo" in first.output
    after_first = counts()
    assert after_first[0] >= 10 and after_first[1] == 2 and after_first[2] >= 4
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert counts() == after_first


def test_every_demo_role_can_sign_in(app, client):
    logins = seed(db.session)
    db.session.commit()
    for role, email in logins["people"]:
        response = login(client, email, logins["password"])
        assert response.status_code == 302, (role, email)
        client.post("/logout")
    staff = login(client, "dana.whitfield@riverbend.example", logins["password"])
    assert staff.status_code == 302 and client.get("/admin/people").status_code == 200


def test_create_user_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--email", "Coach@School.example", "--name", "A Coach",
                                 "--role", "coach", "--role", "teacher", "--password", "long enough pass"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).filter_by(email="coach@school.example"))
    assert user.roles == {"coach", "teacher"}
    clash = runner.invoke(args=["create-user", "--email", "coach@school.example", "--name", "B",
                                "--password", "long enough pass"])
    assert clash.exit_code != 0 and "already uses" in clash.output
