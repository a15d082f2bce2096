"""Probes on a running server: people opening or changing objects that are not theirs by guessing ids
(survey results, exports and pilots; review pages, scoring and evidence files). Each answer must be
the safe status, and nothing protected may be in the body."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests

from milepost.accounts.models import User
from milepost.core.model import utcnow
from milepost.evidence.models import EvidenceItem, Submission
from milepost.extensions import db
from milepost.points.models import LedgerEntry
from milepost.surveys import services as surveys
from milepost.surveys.models import Pilot, PilotMember, Question, Survey, SurveySet
from milepost.surveys.ready_made import AGREE5
from tests.helpers.evidence import PNG, send_evidence
from tests.helpers.security import csrf, signed_in

SECRET = "SECRET-ANSWER"
EVIDENCE = "EVIDENCE-ONLY-FOR-REVIEWERS"
NAMES = {"teacher": "Teacher Person", "coach": "Coach Person", "other": "Other Teacher", "earner": "Erin Earner",
         "peer": "Pat Peer", "site_admin": "Site_Admin Person"}


def refused(response: requests.Response, *statuses: int) -> str:
    """The response is one of the safe statuses (a sign-in redirect for anonymous visitors); its body."""
    assert response.status_code in statuses, (response.request.method, response.url, response.status_code)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
    return response.text


def leaks(body: str, *secrets: str) -> list[str]:
    return [s for s in secrets if s in body]


# --------------------------------------------------------------------------- surveys


@pytest.fixture
def answered(server):
    """An identified survey answered by six people (each with a secret written answer), an anonymous one
    answered by three (fewer than the smallest group reported), and a pilot with a pre-survey set."""
    with server.app_context():
        def survey(title, anonymous, **extra):
            now = utcnow()
            made = Survey(title=title, anonymous=anonymous, audience="everyone", status="published",
                          opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7),
                          own_key=surveys.new_key(), **extra)
            for position, q in enumerate([
                    {"kind": "likert", "prompt": "Useful?", "key": "useful", "options": list(AGREE5), "required": True},
                    {"kind": "short_text", "prompt": "What would you change?"}]):
                made.questions.append(Question(position=position, **surveys.clean_question(q)))
            db.session.add(made)
            db.session.flush()
            return made

        def answer(made, who, text):
            user = db.session.get(User, server.people[who])
            likert, written = made.asked
            surveys.save_response(db.session, made, user, {likert.id: 3, written.id: text}, submit=True)

        named = survey("Identified check-in", False)
        for who in NAMES:
            answer(named, who, f"{SECRET}-{who}")
        hidden = survey("Small anonymous check-in", True)
        for who in ("teacher", "coach", "other"):
            answer(hidden, who, f"{SECRET}-small-{who}")
        pilot = Pilot(name="Reading pilot", goals="", starts_on=utcnow().date(), ends_on=utcnow().date())
        db.session.add(pilot)
        db.session.flush()
        db.session.add_all([PilotMember(pilot_id=pilot.id, user_id=server.people["earner"]),
                            PilotMember(pilot_id=pilot.id, user_id=server.people["peer"])])
        waves = SurveySet(name="Reading pilot waves", kind="waves", pseudonym_key=surveys.new_key(),
                          pilot_id=pilot.id)
        db.session.add(waves)
        db.session.flush()
        pre = survey("Reading pilot: pre", True, set_id=waves.id, wave="pre", pilot_id=pilot.id)
        answer(pre, "earner", f"{SECRET}-pilot-earner")
        db.session.commit()
        return {"named": named.id, "hidden": hidden.id, "pilot": pilot.id, "set": waves.id, "pre": pre.id}


def test_survey_results_exports_and_pilots_are_refused_to_people_who_may_not_read_them(server, answered):
    named, hidden, pilot, waves = answered["named"], answered["hidden"], answered["pilot"], answered["set"]
    paths = [f"/surveys/{named}/results", f"/surveys/{named}/results.csv", f"/surveys/{hidden}/results",
             f"/surveys/{hidden}/results.csv", f"/pilots/{pilot}", f"/surveys/sets/{waves}/results",
             f"/surveys/{answered['pre']}/results"]
    anonymous = requests.Session()
    for path in paths:
        body = refused(anonymous.get(server.base + path, allow_redirects=False), 302)
        assert leaks(body, SECRET, "Erin Earner", "Reading pilot") == []
    for who in ("teacher", "coach"):
        person = signed_in(server, who)
        for path in paths:
            body = refused(person.get(server.base + path, allow_redirects=False), 403)
            assert leaks(body, SECRET, "Erin Earner", "Pat Peer", "Other Teacher") == [], (who, path)


def test_a_leader_reads_results_without_names_cannot_export_and_cannot_narrow_to_a_few(server, answered):
    leader = signed_in(server, "leader")
    page = leader.get(server.base + f"/surveys/{answered['named']}/results")
    assert page.status_code == 200 and f"{SECRET}-earner" in page.text  # the written answers, as a list
    for name in NAMES.values():
        assert name not in page.text, name  # ...but never who wrote them
    body = refused(leader.get(server.base + f"/surveys/{answered['named']}/results.csv", allow_redirects=False), 403)
    assert SECRET not in body and "Erin Earner" not in body

    # Narrowed to one school, only two people answered (Erin and Pat at Maple): too few to show.
    narrowed = leader.get(server.base + f"/surveys/{answered['named']}/results",
                          params={"school": server.schools["maple"]})
    assert narrowed.status_code == 200 and leaks(narrowed.text, f"{SECRET}-earner", f"{SECRET}-peer") == []
    # Three answers to an anonymous survey: nothing is shown, to anyone.
    small = leader.get(server.base + f"/surveys/{answered['hidden']}/results")
    assert small.status_code == 200 and SECRET not in small.text
    pilot = leader.get(server.base + f"/pilots/{answered['pilot']}")
    assert pilot.status_code == 200 and f"{SECRET}-pilot" not in pilot.text
    assert leader.get(server.base + "/surveys/999999/results").status_code == 404
    assert leader.get(server.base + "/pilots/999999").status_code == 404


def test_the_pd_office_sees_names_but_cannot_export_a_group_too_small_to_hide_in(server, answered):
    staff = signed_in(server, "pd_admin")
    page = staff.get(server.base + f"/surveys/{answered['named']}/results").text
    assert f"<strong>Erin Earner:</strong> {SECRET}-earner" in page  # identified, for the PD office
    export = staff.get(server.base + f"/surveys/{answered['hidden']}/results.csv", allow_redirects=False)
    assert export.status_code == 302 and "/results" in export.headers["Location"]
    assert SECRET not in export.text and export.headers.get("Content-Type", "").startswith("text/html")
    small = staff.get(server.base + f"/surveys/{answered['hidden']}/results").text
    assert SECRET not in small


def test_taking_a_survey_meant_for_others_is_refused(server, answered):
    with server.app_context():
        survey = db.session.get(Survey, answered["named"])
        survey.audience, survey.audience_role = "role", "coach"
        db.session.commit()
    teacher = signed_in(server, "teacher")
    token = csrf(teacher, server.base, "/surveys/")
    assert teacher.get(server.base + f"/surveys/{answered['named']}").status_code == 403
    r = teacher.post(server.base + f"/surveys/{answered['named']}", data={"csrf_token": token, "action": "submit"})
    assert r.status_code == 403 and SECRET not in r.text


# --------------------------------------------------------------------------- reviews


@pytest.fixture
def waiting(server):
    """Erin's submission at the peer stage of the district default chain (peer, then coach): a written
    answer only reviewers may read and a file."""
    with server.app_context():
        earner = db.session.get(User, server.people["earner"])
        from milepost.badges import services as badges

        sub = send_evidence(server, earner, badges.load_badge(db.session, "goals"), text=EVIDENCE,
                            files=[("sheet.png", PNG, False)])
        item = db.session.scalar(db.select(EvidenceItem.id).where(EvidenceItem.kind == "file"))
        return {"id": sub.id, "file": item}


def state_of(server, submission_id: int) -> str:
    with server.app_context():
        return db.session.get(Submission, submission_id).state


def awards_points(server) -> int:
    with server.app_context():
        return db.session.scalar(db.select(db.func.count(LedgerEntry.id)).where(LedgerEntry.kind == "badge")) or 0


def scores(decision: str) -> dict:
    return {"action": "submit", "decision": decision, "feedback": "Looks fine to me.", "level-0": "2",
            "level-1": "2", "comment-0": "ok", "comment-1": "ok", "glow-0": "g", "grow-0": "g", "glow-1": "g",
            "grow-1": "g"}


def test_people_outside_the_chain_cannot_open_score_claim_or_download(server, waiting):
    sub, item = waiting["id"], waiting["file"]
    before = state_of(server, sub)
    for who in ("other", "teacher", "leader", "earner"):  # not a reviewer; and the earner on their own work
        person = signed_in(server, who)
        token = csrf(person, server.base, "/")
        others = [] if who == "earner" else [f"/evidence/files/{item}", f"/submissions/{sub}"]  # own files: theirs
        for path in [f"/reviews/{sub}", *others]:
            body = refused(person.get(server.base + path, allow_redirects=False), 404)
            assert EVIDENCE not in body, (who, path)
        for path, data in ((f"/reviews/{sub}", scores("meets")), (f"/reviews/{sub}/claim", {}),
                           (f"/reviews/{sub}/release", {})):
            body = refused(person.post(server.base + path, data={"csrf_token": token, **data},
                                       allow_redirects=False), 404)
            assert EVIDENCE not in body, (who, path)
    anonymous = requests.Session()
    for path in (f"/reviews/{sub}", f"/evidence/files/{item}", f"/submissions/{sub}"):
        refused(anonymous.get(server.base + path, allow_redirects=False), 302)
    assert state_of(server, sub) == before and awards_points(server) == 0


def test_a_peer_cannot_decide_and_cannot_score_once_the_work_has_moved_on(server, waiting):
    sub = waiting["id"]
    peer = signed_in(server, "peer")
    page = peer.get(server.base + f"/reviews/{sub}")
    assert page.status_code == 200 and EVIDENCE in page.text  # a PLC colleague gives peer feedback
    token = csrf(peer, server.base, f"/reviews/{sub}")
    for decision in ("meets", "not_yet"):
        r = peer.post(server.base + f"/reviews/{sub}", data={"csrf_token": token, **scores(decision)},
                      allow_redirects=False)
        assert r.status_code == 400 and "not available at this stage" in r.text
    assert state_of(server, sub) in ("submitted", "in_review") and awards_points(server) == 0

    # Proper peer feedback passes it on to the coach; then the peer may read but no longer score.
    feedback = {"action": "submit", "glow-0": "Clear goals.", "grow-0": "A second example.", "glow-1": "Honest.",
                "grow-1": "Show progress.", "feedback": "Lovely work."}
    r = peer.post(server.base + f"/reviews/{sub}", data={"csrf_token": token, **feedback}, allow_redirects=False)
    assert r.status_code == 302, re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', r.text)
    r = peer.post(server.base + f"/reviews/{sub}", data={"csrf_token": token, **scores("meets")},
                  allow_redirects=False)
    assert r.status_code == 403
    assert state_of(server, sub) == "in_review" and awards_points(server) == 0
    # The coach of the school decides.
    coach = signed_in(server, "coach")
    with server.app_context():
        db.session.get(User, server.people["coach"]).school_id = server.schools["maple"]
        db.session.commit()
    token = csrf(coach, server.base, f"/reviews/{sub}")
    r = coach.post(server.base + f"/reviews/{sub}", data={"csrf_token": token, **scores("meets")},
                   allow_redirects=False)
    assert r.status_code == 302 and state_of(server, sub) == "awarded"


def test_a_peer_from_another_plc_and_reviewers_of_nothing_cannot_post_a_review(server, waiting):
    sub = waiting["id"]
    for who in ("other", "coach"):  # outside the PLC; a coach while the work is at the peer stage
        person = signed_in(server, who)
        token = csrf(person, server.base, "/")
        r = person.post(server.base + f"/reviews/{sub}", data={"csrf_token": token, **scores("pass")},
                        allow_redirects=False)
        assert r.status_code in (403, 404) and EVIDENCE not in r.text, who
    assert state_of(server, sub) == "submitted" or state_of(server, sub) == "in_review"
    with server.app_context():
        from milepost.reviews.models import Review

        assert db.session.scalar(db.select(db.func.count(Review.id))) == 0
