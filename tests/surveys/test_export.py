"""CSV export: PD office only, audited, guarded against spreadsheet formula injection."""
import csv
import io

import pytest
from sqlalchemy import select

from milepost.core.audit import AuditEvent
from milepost.core.csvsafe import csv_text, safe_cell
from milepost.extensions import db
from tests.helpers.surveys import answer, likert


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"), ("plain", "plain"), ("a=b", "a=b"),
    (3, 3), (-2.5, -2.5), (None, ""),
])
def test_cells_that_look_like_formulas_become_text(value, expected):
    assert safe_cell(value) == expected


def test_the_whole_file_is_guarded_including_the_header():
    text = csv_text(["=cmd", "ok"], [["@evil", 4]])
    assert list(csv.reader(io.StringIO(text))) == [["'=cmd", "ok"], ["'@evil", "4"]]


def test_the_export_guards_answers_and_is_audited(make_survey, make_user, as_role):
    survey = make_survey([likert(), {"kind": "short_text", "prompt": "=Question wording"}], anonymous=False)
    people = [make_user("teacher", name=name) for name in ["=Evil Name", "Ann", "Bo", "Cy", "Di"]]
    for i, person in enumerate(people):
        answer(survey, person, {0: 4, 1: "=1+2" if i == 0 else "-cmd|' /C calc'!A0" if i == 1 else "fine"})
    client = as_role("pd_admin")
    response = client.get(f"/surveys/{survey.id}/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    # An identified survey's rows are named, with no respondent code beside the name.
    assert table[0] == ["name", "I found the pilot useful.", "'=Question wording"]
    cells = [cell for row in table[1:] for cell in row]
    assert "'=1+2" in cells and "'-cmd|' /C calc'!A0" in cells and "'=Evil Name" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert len(table) == 6 and {row[1] for row in table[1:]} == {"Agree"}
    db.session.expire_all()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "survey.export"))
    assert event.actor_id == client.user.id and event.target_id == survey.id and event.detail["rows"] == 5


@pytest.mark.parametrize("role", ["teacher", "coach", "leader"])
def test_only_the_pd_office_and_site_admins_may_export(make_survey, as_role, role):
    survey = make_survey()
    assert as_role(role).get(f"/surveys/{survey.id}/results.csv").status_code == 403
    assert as_role("site_admin").get(f"/surveys/{survey.id}/results.csv").status_code == 200
