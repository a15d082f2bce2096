"""Journey 2: a PLC peer leaves glow-and-grow feedback, a coach scores the rubric and returns the work
"not yet", the teacher reads the feedback first, revises and resubmits, the coach approves, and the
teacher sees the award, the points, the degree progress and the public verification page."""

import pytest
from playwright.sync_api import expect

from milepost.accounts.models import PLC, School
from milepost.accounts.services import save_user
from milepost.badges import services as badges
from milepost.evidence.models import Submission
from milepost.extensions import db
from milepost.points import services as points
from milepost.points.models import LedgerEntry
from milepost.reviews import services as reviews
from tests.helpers.badges import badge_doc
from tests.helpers.browser import DESKTOP, PHONE, TEACHER_PASSWORD, assert_accessible, sign_in
from tests.helpers.evidence import PDF, PNG, PROMPTS, send_evidence

pytestmark = pytest.mark.browser

TEACHER, PEER, COACH = "tess@school.example", "pat@school.example", "cora@school.example"


@pytest.fixture
def submitted_work(live_app):
    """What the journey starts from: a teacher and a colleague in one PLC, a coach, a published badge
    whose chain is peer feedback then coach review, two degree tiers, and the teacher's evidence sent."""
    with live_app.app_context():
        school = School(name="Maple Elementary")
        plc = PLC(name="Grade 4 team", school=school)
        db.session.add_all([school, plc])
        db.session.flush()

        def person(email, name, roles, plcs=()):
            return save_user(db.session, None, actor=None, email=email, display_name=name, roles=roles,
                             school=school, plcs=list(plcs), password=TEACHER_PASSWORD)

        teacher = person(TEACHER, "Tess Teacher", ["teacher"], [plc])
        person(PEER, "Pat Peer", ["teacher"], [plc])
        person(COACH, "Cora Coach", ["coach", "teacher"])
        badge = badges.save_badge(db.session, None, badge_doc("goal-setting", title="Student Goal-Setting",
                                                              prompts=PROMPTS, points=30), actor=None)
        badges.publish(db.session, badge, actor=None)
        # another badge, whose long title appears in the review queue's badge filter
        long_title = "Student-led conferences: sharing learning goals and evidence of progress with families"
        badges.publish(db.session, badges.save_badge(db.session, None, badge_doc("conferences", title=long_title),
                                                     actor=None), actor=None)
        reviews.save_chain(db.session, f"badge:{badge.id}",
                           [{"kind": "peer", "required_reviews": 1, "skip_after_days": None},
                            {"kind": "coach", "required_reviews": 1, "skip_after_days": None}], by=None, badge=badge)
        for name, threshold in (("Associate of Practice", 25), ("Bachelor of Practice", 100)):
            points.save_tier(db.session, None, name=name, description="", threshold=threshold, min_credit_hours=0,
                             min_strands=0, badges_per_strand=1, required_badges=[], actor=None)

        send_evidence(live_app, teacher, badge, text="Grade 4: students write one maths goal a week.",
                      files=[("goal-sheet.png", PNG, False)])


UNCOVERED = """el => { el.scrollIntoView({block: 'nearest'}); const r = el.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return top === el || el.contains(top); }"""


def open_from_queue(page, teacher_name="Tess Teacher"):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    queue = page.get_by_role("table")
    expect(queue).to_contain_text("Student Goal-Setting")
    assert_accessible(page, "review queue")
    for label in ("Badge", "Waiting at least (days)"):  # no filter hidden under another element
        assert page.get_by_label(label).evaluate(UNCOVERED), f"the {label} filter is covered"
    queue.get_by_role("link", name=teacher_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Student Goal-Setting: {teacher_name}")


def score(page, level: str, comments: dict[str, str]):
    for criterion, comment in comments.items():
        group = page.get_by_role("group", name=criterion)
        group.get_by_label(level, exact=True).check()
        group.get_by_label("Comment").fill(comment)


def test_peer_feedback_not_yet_revision_and_award(open_page, live_app, submitted_work):
    # Each person on their own device: the teacher and the peer on phones, the coach at a desk.
    peer, coach, teacher = open_page(PHONE), open_page(DESKTOP), open_page(PHONE)

    # The PLC peer claims the work and leaves glow and grow for each criterion.
    sign_in(peer, PEER)
    assert_accessible(peer, "a PLC peer's home page")
    open_from_queue(peer)
    peer.get_by_role("button", name="Claim it").click()
    expect(peer.get_by_role("region", name="Who is on it")).to_contain_text("Taken by Pat Peer")
    assert_accessible(peer, "peer review page")
    for criterion, glow, grow in (("Goal quality", "Every sheet names one clear goal.", "Show how goals change."),
                                  ("Reflection", "Honest about what did not work.", "Say what you will try next.")):
        group = peer.get_by_role("group", name=criterion)
        group.get_by_label("Glow: what works").fill(glow)
        group.get_by_label("Grow: what to try next").fill(grow)
    peer.get_by_label("Feedback for the teacher").fill("A strong start: the sheets are easy to follow.")
    peer.get_by_role("button", name="Submit review").click()
    expect(peer.get_by_role("status").first).to_contain_text("Your review is submitted")
    expect(peer.get_by_role("table")).to_contain_text("Nothing waiting for you right now")

    # The coach reads the peer's feedback, scores the rubric and returns it "not yet".
    sign_in(coach, COACH)
    assert_accessible(coach, "a coach's home page")
    open_from_queue(coach)
    expect(coach.get_by_role("region", name="Evidence")).to_contain_text("Every sheet names one clear goal.")
    assert_accessible(coach, "coach review page")
    score(coach, "Developing", {"Goal quality": "Goals are clear but not yet the students' own.",
                                "Reflection": "Describe one change you made."})
    coach.get_by_label("Your decision").select_option(label="Not yet")
    coach.get_by_role("button", name="Submit review").click()  # forgot the feedback
    expect(coach.get_by_role("alert")).to_contain_text("feedback is required")
    expect(coach.get_by_role("group", name="Goal quality").get_by_label("Developing", exact=True)).to_be_checked()
    assert_accessible(coach, "coach review page with an error")
    coach.get_by_label("Feedback for the teacher").fill("Not yet: add a **second** goal sheet written by a student.")
    coach.get_by_role("button", name="Submit review").click()
    expect(coach.get_by_role("status").first).to_contain_text("Your review is submitted")

    # The teacher sees the feedback first: on the dashboard, then above the evidence.
    sign_in(teacher, TEACHER)
    main_nav = teacher.get_by_role("navigation", name="Main")
    main_nav.get_by_role("link", name="My badges").click()
    first_section = teacher.get_by_role("main").get_by_role("heading", level=2).first
    expect(first_section).to_contain_text("Returned for revision")
    returned = teacher.get_by_role("region", name="Returned for revision")
    expect(returned).to_contain_text("Not yet: revise and resubmit")
    # The card quotes the decision first: the coach's reason.
    expect(returned.locator("blockquote")).to_contain_text("Not yet: add a second goal sheet written by a student.")
    assert_accessible(teacher, "my badges with returned work")
    teacher.get_by_role("link", name="Student Goal-Setting").click()
    feedback = teacher.get_by_role("region", name="Feedback on attempt 1")
    expect(feedback).to_contain_text("add a second goal sheet written by a student")
    expect(feedback.locator("strong", has_text="second")).to_have_text("second")  # Markdown rendered
    by_criterion = feedback  # once: the decision's words and the comments per criterion together
    expect(teacher.locator(".panel").filter(has_text="add a second goal sheet written by a student")).to_have_count(1)
    expect(teacher.get_by_role("region", name="Feedback by rubric criterion")).to_have_count(0)
    expect(by_criterion).to_contain_text("Every sheet names one clear goal.")
    expect(by_criterion).to_contain_text("Goals are clear but not yet the students' own.")
    answer = teacher.get_by_label("Your answer")
    assert feedback.bounding_box()["y"] < answer.bounding_box()["y"], "the feedback comes before the evidence"
    assert_accessible(teacher, "returned evidence with feedback")

    answer.fill("Grade 4: students write one maths goal a week and check it every Friday. I now ask each "
                "student to reword the goal in their own words.")
    teacher.get_by_label("Add files").set_input_files(
        [{"name": "student-goal.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    expect(teacher.get_by_role("link", name="student-goal.pdf")).to_be_visible()
    teacher.get_by_role("button", name="Save and review before submitting").click()
    teacher.get_by_label("I have removed students").check()
    assert_accessible(teacher, "check page before resubmitting")
    teacher.get_by_role("button", name="Resubmit").click()
    expect(teacher.get_by_role("status").first).to_contain_text("is submitted")
    expect(teacher.get_by_role("region", name="Earlier attempts")).to_contain_text("Attempt 1: not yet")
    assert_accessible(teacher, "resubmitted evidence")

    # The resubmission goes straight back to the coach, who approves it.
    open_from_queue(coach)
    expect(coach.get_by_role("region", name="Evidence")).to_contain_text("reword the goal in their own words")
    assert_accessible(coach, "coach review page, second attempt")
    score(coach, "Meets", {"Goal quality": "Students own their goals now.", "Reflection": "Clear next step."})
    coach.get_by_label("Your decision").select_option(label="Meets")
    coach.get_by_label("Feedback for the teacher").fill("Meets the standard. Well done.")
    coach.get_by_role("button", name="Submit review").click()
    expect(coach.get_by_role("status").first).to_contain_text("Your review is submitted")

    # The teacher sees the award, the points and the degree progress, and opens the public page.
    main_nav.get_by_role("link", name="My badges").click()
    expect(teacher.get_by_role("status").filter(has_text="You have reached Associate of Practice")).to_be_visible()
    expect(teacher.get_by_role("region", name="Earned")).to_contain_text("Student Goal-Setting")
    assert_accessible(teacher, "my badges with an award")
    main_nav.get_by_role("link", name="Points").click()
    stats = teacher.locator("dl.stats")
    expect(stats).to_contain_text("Points30")
    expect(stats).to_contain_text("Badges held1")
    expect(stats).to_contain_text("Degree tierAssociate of Practice")
    expect(teacher.get_by_role("heading", name="Next: Bachelor of Practice")).to_be_visible()
    progress = teacher.get_by_label("Points toward Bachelor of Practice")
    expect(progress).to_have_attribute("value", "30")
    expect(progress).to_have_attribute("max", "100")
    expect(teacher.get_by_text("70 more points")).to_be_visible()
    expect(teacher.get_by_role("region", name="My badges earned")).to_contain_text("Student Goal-Setting")
    assert_accessible(teacher, "points and degree")
    teacher.get_by_role("link", name="Public page for Student Goal-Setting").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Student Goal-Setting")
    expect(teacher.locator(".credential-status")).to_contain_text("This credential is genuine and in force.")
    expect(teacher.get_by_role("region", name="Share your badge")).to_be_visible()
    assert_accessible(teacher, "public verification page, as the earner")

    # Anyone can verify it without signing in.
    visitor = open_page()
    visitor.goto(teacher.url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Student Goal-Setting")
    expect(visitor.get_by_text("This credential is genuine and in force.")).to_be_visible()
    expect(visitor.locator(".credential-facts")).to_contain_text("Earned byTess Teacher")
    expect(visitor.get_by_role("region", name="Share your badge")).to_have_count(0)
    assert_accessible(visitor, "public verification page, signed out")

    with live_app.app_context():
        submission = db.session.scalar(db.select(Submission))
        assert (submission.state, submission.attempt_number) == ("awarded", 2)
        kinds = sorted(db.session.scalars(db.select(LedgerEntry.kind)))
        assert kinds == ["award", "review", "review", "review"]  # the teacher's badge; peer, coach twice
