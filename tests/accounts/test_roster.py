import io

import pytest

from milepost.accounts.models import PLC, School, User
from milepost.accounts.roster import import_roster
from milepost.core.errors import ValidationFailed
from milepost.core.mail import outbox_messages
from milepost.extensions import db

GOOD = """name,email,school,roles,plcs
Alicia Chen,alicia@school.example,Hill Elementary,teacher,Readers
Grace Okafor,Grace@School.example,Hill Elementary,coach;teacher,Readers;Math team
Dana Whitfield,dana@school.example,,pd admin,
"""


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_a_good_roster_creates_people_schools_and_plcs(app):
    result = import_roster(db.session, GOOD)
    db.session.commit()
    assert sorted(result.created) == ["alicia@school.example", "dana@school.example", "grace@school.example"]
    assert result.schools_created == ["Hill Elementary"]
    grace = db.session.scalar(db.select(User).filter_by(email="grace@school.example"))
    assert grace.roles == {"coach", "teacher"} and grace.school.name == "Hill Elementary"
    assert sorted(m.plc.name for m in grace.memberships) == ["Math team", "Readers"]
    dana = db.session.scalar(db.select(User).filter_by(email="dana@school.example"))
    assert dana.roles == {"pd_admin"} and dana.school is None


def test_importing_the_same_file_again_changes_nothing(app):
    import_roster(db.session, GOOD)
    db.session.commit()
    before = (count(User), count(School), count(PLC))
    again = import_roster(db.session, GOOD)
    db.session.commit()
    assert not again.changed and again.unchanged == 3
    assert (count(User), count(School), count(PLC)) == before


def test_a_roster_with_bad_rows_writes_nothing_and_names_every_row(app):
    bad = GOOD + """,nameless@school.example,,teacher,
Broken Email,not-an-email,,teacher,
Twice,alicia@school.example,,teacher,
Odd Role,odd@school.example,,principal,
"""
    with pytest.raises(ValidationFailed) as caught:
        import_roster(db.session, bad)
    db.session.rollback()
    problems = caught.value.problems
    assert len(problems) == 4
    assert problems[0].startswith("Line 5:") and "name is empty" in problems[0]
    assert problems[1].startswith("Line 6:") and "not a valid address" in problems[1]
    assert problems[2].startswith("Line 7:") and "already appears on line 2" in problems[2]
    assert problems[3].startswith("Line 8:") and "unknown role principal" in problems[3]
    assert count(User) == 0 and count(School) == 0 and count(PLC) == 0


def test_a_file_without_the_columns_is_refused(app):
    with pytest.raises(ValidationFailed) as caught:
        import_roster(db.session, "full name,mail\nA,b@c.example\n")
    assert "missing: name, email" in caught.value.message


def test_a_file_that_is_not_utf8_is_refused(app):
    with pytest.raises(ValidationFailed) as caught:
        import_roster(db.session, "name,email\nJos\xe9,jose@school.example\n".encode("latin-1"))
    assert "not UTF-8" in caught.value.message


def test_the_upload_page_lists_bad_rows_and_imports_nothing(as_role):
    client = as_role("pd_admin")
    data = {"file": (io.BytesIO(b"name,email\nGood Person,good@school.example\nBad,,\n"), "roster.csv")}
    response = client.post("/admin/roster", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nothing was imported" in page and "Line 3:" in page
    assert db.session.scalar(db.select(User).filter_by(email="good@school.example")) is None


def test_the_upload_page_imports_and_invites_new_people(as_role):
    client = as_role("site_admin")  # the file makes a PD admin, which only a site administrator may grant
    data = {"file": (io.BytesIO(GOOD.encode()), "roster.csv")}
    response = client.post("/admin/roster", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "3 added" in response.get_data(as_text=True)
    invited = sorted(m["To"] for m in outbox_messages())
    assert invited == ["alicia@school.example", "dana@school.example", "grace@school.example"]


def test_the_upload_page_refuses_other_file_types(as_role):
    client = as_role("pd_admin")
    data = {"file": (io.BytesIO(b"\x89PNG...."), "photo.png")}
    response = client.post("/admin/roster", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "must be a .csv file" in response.get_data(as_text=True)


def test_the_cli_imports_a_roster_and_reports_bad_rows(app, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\n,x@school.example\n")
    result = runner.invoke(args=["import-roster", str(bad)])
    assert result.exit_code == 1
    assert "Line 2: the name is empty." in result.output
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    result = runner.invoke(args=["import-roster", "--no-invite", str(good)])
    assert result.exit_code == 0, result.output
    assert "3 added, 0 updated, 0 unchanged." in result.output
    assert count(User) == 3
