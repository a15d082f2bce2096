"""Probes on a running server: values an attacker types into the site's own forms come back inert.

Spreadsheet formulas (=, +, -, @, tab, carriage return) planted in survey answers, names, schools,
badge titles and question wording are neutralised in every CSV export the site serves; script and
markup planted in every rendered text field and filename are shown as text, never run."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import requests

from milepost.core.model import utcnow
from tests.helpers.app import PASSWORD
from tests.helpers.evidence import PNG
from tests.helpers.security import XSS, csrf, fill, form_fields, signed_in, teacher_submission

FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "=HYPERLINK(\"http://evil.example\",\"x\")"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def ok(response: requests.Response, *statuses: int) -> requests.Response:
    problems = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', response.text)
    assert response.status_code in (statuses or (302,)), (response.url, response.status_code, problems)
    return response


def new_survey(staff, base, *, title: str, prompt: str, anonymous: bool = False, intro: str = "",
               help_text: str = "") -> tuple[int, int]:
    """A survey built and published through the PD office's forms; (survey id, written question id)."""
    closes = (utcnow() + timedelta(days=10)).date().isoformat()
    r = ok(fill(staff, base, "/surveys/manage/new", "", {"title": title, "intro": intro, "closes_on": closes,
                                                         "anonymous": "y" if anonymous else None}))
    survey_id = int(re.search(r"/surveys/(\d+)/questions", r.headers["Location"]).group(1))
    ok(fill(staff, base, f"/surveys/{survey_id}/questions/new?kind=short_text", "",
            {"prompt": prompt, "help": help_text, "required": None}))
    token = csrf(staff, base, f"/surveys/{survey_id}/questions")
    ok(staff.post(base + f"/surveys/{survey_id}/publish", data={"csrf_token": token}, allow_redirects=False))
    page = staff.get(base + f"/surveys/{survey_id}").text
    question = int(re.search(r'name="q(\d+)"', page).group(1))
    return survey_id, question


def answer(person, base, survey_id: int, question: int, text: str) -> None:
    ok(fill(person, base, f"/surveys/{survey_id}", "", {f"q{question}": text, "action": "submit"}))


def join_from_invitation(server, email: str) -> requests.Session:
    """Follow the invitation mail in the outbox to set a password, as a new person would, and sign in."""
    for path in sorted(Path(server.config["OUTBOX_PATH"]).glob("*.eml")):
        mail = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if mail["To"] == email:
            link = re.search(r"https?://[^/\s]+(/reset/[A-Za-z0-9_\-.]+)", mail.get_body(("plain",)).get_content())
            break
    else:
        raise AssertionError(f"no invitation for {email}")
    s = requests.Session()
    ok(fill(s, server.base, link.group(1), "", {"new_password": PASSWORD, "confirm": PASSWORD}))
    return s


# --------------------------------------------------------------------------- CSV


def csv_routes(app):
    """Every GET route that serves, or may serve, a CSV file: named .csv, or an export."""
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and (rule.rule.endswith(".csv") or "export" in rule.endpoint
                                      or "csv" in rule.endpoint):
            yield rule


def linked_csv(session, base: str) -> set[str]:
    """CSV links on the pages one click from home (exports whose address holds a key not known here)."""
    home = session.get(base + "/").text
    pages = {"/"} | {href for href in re.findall(r'href="(/[^"#?]*)"', home) if not href.startswith("/static")}
    found = set()
    for page in sorted(pages):
        response = session.get(base + page, allow_redirects=False)
        if response.status_code == 200 and response.headers.get("Content-Type", "").startswith("text/html"):
            found |= {href.replace("&amp;", "&") for href in re.findall(r'href="(/[^"]+?\.csv[^"]*)"', response.text)}
    return found


def test_formulas_typed_into_forms_are_neutralised_in_every_csv_export(server):
    staff = signed_in(server, "pd_admin")
    base = server.base
    # Names and places, through the people pages and a roster file.
    ok(fill(staff, base, f"/admin/people/{server.people['teacher']}", "", {"display_name": FORMULAS[6]}))
    ok(fill(staff, base, "/admin/schools/new", "", {"name": "-2+3 Evil School"}))
    roster = (b"name,email,school,roles,plcs\n"
              b"+SUM(1+1) New Person,plus@probe.example,@Evil Academy,teacher,=Evil PLC\n")
    token = csrf(staff, base, "/admin/roster")
    r = staff.post(base + "/admin/roster", data={"csrf_token": token},
                   files={"file": ("roster.csv", roster, "text/csv")})
    assert r.status_code == 200 and "1 added" in r.text
    newcomer = join_from_invitation(server, "plus@probe.example")
    # A badge title, through the authoring form.
    ok(fill(staff, base, f"/authoring/badges/{server.badge_id}", "", {"title": "@Badge title", "action": "save"}))
    # An identified survey whose written answers are all formulas.
    survey_id, question = new_survey(staff, base, title="=Survey title", prompt="+Question wording")
    respondents = [signed_in(server, who) for who in ("teacher", "coach", "other", "earner", "peer", "leader")]
    for person, value in zip([*respondents, newcomer], FORMULAS, strict=False):
        answer(person, base, survey_id, question, value)

    values = {"survey_id": survey_id, "badge_id": server.badge_id, "user_id": server.people["teacher"],
              "school_id": server.schools["maple"], "plc_id": server.plc_id}
    paths = set(linked_csv(staff, base))
    for rule in csv_routes(server):
        if set(rule.arguments) <= set(values):
            path = rule.rule
            for name in rule.arguments:
                path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(values[name]), path)
            paths.add(path)
    checked, readers = [], (("pd_admin", staff), ("site_admin", signed_in(server, "site_admin")))
    for path in sorted(paths):
        for who, session in readers:
            response = session.get(base + path, allow_redirects=False)
            if not response.headers.get("Content-Type", "").startswith("text/csv"):
                continue
            assert "attachment" in response.headers.get("Content-Disposition", ""), path
            table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
            cells = [cell for row in table for cell in row]
            bad = [cell for cell in cells if cell.startswith(DANGEROUS)]
            assert bad == [], f"{path} as {who}: cells a spreadsheet would run: {bad}"
            checked.append((path, cells))
    print("CSV exports checked:", sorted({path for path, _ in checked}))
    survey_cells = next(cells for path, cells in checked if path == f"/surveys/{survey_id}/results.csv")
    for planted in ("'=1+1", "'+1+1", "'-1+1", "'@SUM(A1:A2)", "'+Question wording", "'" + FORMULAS[6],
                    "'+SUM(1+1) New Person"):
        assert planted in survey_cells, planted
    # Tab and carriage return are trimmed off answers; what is left starts with "=" and is neutralised too.
    assert survey_cells.count("'=1+1") == 3


# --------------------------------------------------------------------------- stored script


def inert(page: str, where: str) -> None:
    """No script or markup from the payload survived as markup (the site's own <script src> tags are fine)."""
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), f"inline script on {where}"
    assert "<img src=x" not in page and 'href="javascript:' not in page, where


def shown_as_text(page: str, where: str) -> None:
    inert(page, where)
    assert "&lt;script&gt;alert(" in page, f"the planted text is not shown on {where}"


def test_badge_fields_authored_with_script_render_as_text(server):
    staff = signed_in(server, "pd_admin")
    base = server.base
    ok(fill(staff, base, "/authoring/strands/new", "", {"name": "Strand " + XSS, "slug": "evil-strand",
                                                         "description": XSS}))
    page = staff.get(base + f"/authoring/badges/{server.badge_id}").text
    strand = re.search(r'<option value="(\d+)">Strand &lt;script', page).group(1)
    fields = {name for name, _ in form_fields(page, "", here=f"/authoring/badges/{server.badge_id}")}
    changes = {"title": "Goals " + XSS, "strand_id": strand, "summary": XSS, "competency": XSS,
               "key_method": XSS + " [x](javascript:alert(1))", "research": XSS, "resources": XSS,
               "estimated_time": XSS, "tags": "<script>alert(1)</script>", "action": "save"}
    changes.update({name: f"{name} {XSS}" for name in fields if re.fullmatch(
        r"prompts-\d+-(title|guidance)|levels-\d+|criteria-\d+-(name|descriptions-\d+)", name)})
    ok(fill(staff, base, f"/authoring/badges/{server.badge_id}", "", changes))
    teacher = signed_in(server, "teacher")
    for path in ("/badges/", "/badges/goals", "/badges/goals/versions"):
        shown_as_text(teacher.get(base + path).text, path)
    ok(fill(staff, base, "/authoring/collections/new", "", {"name": "Collection " + XSS, "slug": "evil-collection",
                                                             "description": XSS,
                                                             "badge_ids": str(server.badge_id)}))
    for path in ("/authoring/", f"/authoring/badges/{server.badge_id}", "/authoring/strands",
                 "/authoring/collections"):
        shown_as_text(staff.get(base + path).text, path)
    # Starting the badge shows its prompts; the in-app notification repeats its title.
    sub = teacher_submission(server, teacher)
    shown_as_text(teacher.get(base + f"/submissions/{sub}").text, "the submission page")


def test_people_schools_and_plcs_named_with_script_render_as_text(server):
    staff = signed_in(server, "pd_admin")
    base = server.base
    ok(fill(staff, base, "/admin/schools/new", "", {"name": "School " + XSS}))
    ok(fill(staff, base, "/admin/plcs/new", "", {"name": "PLC " + XSS, "description": XSS,
                                                  "member_ids": str(server.people["teacher"])}))
    school = re.search(r'<option value="(\d+)">School &lt;script',
                       staff.get(base + f"/admin/people/{server.people['teacher']}").text).group(1)
    ok(fill(staff, base, f"/admin/people/{server.people['teacher']}", "",
            {"display_name": "Tess " + XSS, "school_id": school}))
    for path in ("/admin/schools", "/admin/plcs", "/admin/people", f"/admin/people/{server.people['teacher']}",
                 "/admin/people?q=Tess"):
        shown_as_text(staff.get(base + path).text, path)
    teacher = signed_in(server, "teacher")
    shown_as_text(teacher.get(base + "/").text, "the teacher's own header")


def test_evidence_feedback_and_notifications_with_script_render_as_text(server):
    base = server.base
    staff = signed_in(server, "pd_admin")
    ok(fill(staff, base, f"/admin/people/{server.people['teacher']}", "", {"display_name": "Tess " + XSS}))
    teacher = signed_in(server, "teacher")
    sub = teacher_submission(server, teacher)
    token = csrf(teacher, base, f"/submissions/{sub}")
    teacher.post(base + f"/submissions/{sub}",
                 data={"csrf_token": token, "action": "save", "answer-0": XSS, "link-2": "https://example.org/" + XSS},
                 files={"file-1": (XSS + ".png", PNG, "image/png")})
    ok(teacher.post(base + f"/submissions/{sub}/check", data={"csrf_token": csrf(
        teacher, base, f"/submissions/{sub}/check"), "confirm": "y"}, allow_redirects=False))
    coach = signed_in(server, "coach")
    for path in ("/reviews", f"/reviews/{sub}", f"/submissions/{sub}"):
        shown_as_text(coach.get(base + path).text, path)  # the teacher's name, as reviewers see it
    token = csrf(coach, base, f"/reviews/{sub}")
    r = coach.post(base + f"/reviews/{sub}", data={
        "csrf_token": token, "action": "submit", "decision": "not_yet", "feedback": XSS, "private_note": XSS,
        "level-0": "1", "level-1": "1", "comment-0": XSS, "comment-1": XSS}, allow_redirects=False)
    ok(r)
    for path in (f"/submissions/{sub}", "/notifications", "/my/badges"):
        shown_as_text(teacher.get(base + path).text, path)
    inert(coach.get(base + f"/reviews/{sub}").text, "the review page after the decision")
    with server.app_context():
        from milepost.evidence.models import EvidenceItem
        from milepost.extensions import db

        item = db.session.scalar(db.select(EvidenceItem).where(EvidenceItem.kind == "file"))
    download = teacher.get(base + f"/evidence/files/{item.id}")
    assert download.status_code == 200 and "<" not in download.headers["Content-Disposition"]


def test_surveys_pilots_and_answers_with_script_render_as_text(server):
    staff = signed_in(server, "pd_admin")
    base = server.base
    survey_id, question = new_survey(staff, base, title="Survey " + XSS, prompt="Question " + XSS, intro=XSS,
                                     help_text=XSS)
    people = [signed_in(server, who) for who in ("teacher", "coach", "other", "earner", "peer")]
    for person in people:
        answer(person, base, survey_id, question, "Answer " + XSS)
    shown_as_text(people[0].get(base + f"/surveys/{survey_id}").text, "the survey as its taker sees it")
    shown_as_text(people[0].get(base + "/surveys/").text, "my surveys")
    for path in (f"/surveys/{survey_id}/results", f"/surveys/{survey_id}/questions", "/surveys/manage",
                 f"/surveys/{survey_id}/preview"):
        shown_as_text(staff.get(base + path).text, path)
    shown_as_text(signed_in(server, "leader").get(base + f"/surveys/{survey_id}/results").text, "results (leader)")
    r = ok(fill(staff, base, "/pilots/new", "", {"name": "Pilot " + XSS, "goals": XSS,
                                                 "starts_on": utcnow().date().isoformat(),
                                                 "ends_on": (utcnow() + timedelta(days=30)).date().isoformat(),
                                                 "teacher_ids": str(server.people["teacher"])}))
    pilot = re.search(r"/pilots/(\d+)", r.headers["Location"]).group(1)
    shown_as_text(staff.get(base + f"/pilots/{pilot}").text, "the pilot page")
    shown_as_text(staff.get(base + "/surveys/manage").text, "the pilots list")


def test_degree_tiers_and_rewards_named_with_script_render_as_text(server):
    staff = signed_in(server, "pd_admin")
    base = server.base
    ok(fill(staff, base, "/admin/points/tiers/new", "", {"name": "Tier " + XSS, "description": XSS,
                                                          "threshold": "5"}))
    ok(fill(staff, base, "/admin/points/rewards/new", "", {"name": "Reward " + XSS, "description": XSS,
                                                            "points_needed": "0"}))
    ok(fill(staff, base, "/admin/points/adjust", "", {"email": "teacher@probe.example", "amount": "10",
                                                       "reason": "Reason " + XSS}))
    shown_as_text(staff.get(base + "/admin/points").text, "the points admin page")
    teacher = signed_in(server, "teacher")
    for path in ("/points", "/notifications"):  # the reason, the tier reached, the reward now open
        shown_as_text(teacher.get(base + path).text, path)
    tier = re.search(r'href="(/points/certificate/\d+)"', teacher.get(base + "/points").text)
    if tier:
        shown_as_text(teacher.get(base + tier.group(1)).text, "the tier certificate")


def test_every_page_carries_the_strict_policy(server):
    teacher = signed_in(server, "teacher")
    for path in ("/", "/badges/", "/notifications", "/surveys/", "/points"):
        policy_header = teacher.get(server.base + path).headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy_header and "unsafe-inline" not in policy_header
        assert "style-src 'self'" in policy_header and "object-src 'none'" in policy_header
