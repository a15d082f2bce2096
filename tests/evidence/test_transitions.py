"""The submission state machine: every allowed move, every refusal and its reason."""
import pytest

from milepost.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from milepost.evidence import receivers, services
from milepost.evidence.models import EvidenceItem, Submission, SubmissionEvent
from milepost.extensions import db
from tests.helpers.evidence import fill_in


@pytest.fixture
def coach(make_user):
    return make_user("coach", "teacher", name="Cora Coach")


def test_starting_a_badge_makes_one_draft_pinned_to_the_published_version(badge, teacher):
    first = services.start_badge(db.session, teacher, badge)
    again = services.start_badge(db.session, teacher, badge)
    db.session.commit()
    assert first is again and first.state == "draft" and first.attempt_number == 1
    assert first.badge_version.number == badge.version
    assert db.session.scalar(db.select(db.func.count(Submission.id))) == 1


def test_a_draft_badge_cannot_be_started(make_badge, teacher):
    draft = make_badge("unfinished", status="draft")
    with pytest.raises(InvalidTransition, match="not open for new starts"):
        services.start_badge(db.session, teacher, draft)


def test_starting_without_the_prerequisites_names_them(make_badge, teacher):
    basics = make_badge("basics", title="Goal Basics")
    advanced = make_badge("advanced", prerequisites=["basics"])
    with pytest.raises(InvalidTransition) as caught:
        services.start_badge(db.session, teacher, advanced)
    assert "Earn Goal Basics first" in caught.value.message
    assert basics.title in caught.value.problems


def test_submitting_with_unanswered_required_prompts_lists_them(submission, teacher):
    services.save_text(db.session, submission, 0, "My class", by=teacher)
    services.confirm_privacy(db.session, submission, by=teacher)
    with pytest.raises(InvalidTransition) as caught:
        services.transition(db.session, submission, "submit", by=teacher)
    assert caught.value.problems == ["Upload student goal sheets"]
    assert submission.state == "draft"


def test_submitting_needs_the_privacy_confirmation(submission, teacher):
    services.save_text(db.session, submission, 0, "My class", by=teacher)
    services.save_link(db.session, submission, 1, "https://video.example/clip", by=teacher)
    with pytest.raises(InvalidTransition, match="confirm that student names"):
        services.transition(db.session, submission, "submit", by=teacher)


def test_a_full_round_not_yet_then_resubmit_then_award(submission, teacher, coach):
    fill_in(submission, teacher)
    services.transition(db.session, submission, "submit", by=teacher)
    assert submission.state == "submitted" and submission.submitted_at is not None
    services.transition(db.session, submission, "begin_review", by=coach, stage=1)
    # The default chain skips its peer stage at once for a teacher in no PLC: the review begins at the stage the
    # submission waits at, the coach's (its one record of the stage, which review moved on).
    assert submission.state == "in_review" and submission.stage == 2
    services.transition(db.session, submission, "return", by=coach, note="Add a second goal sheet.")
    db.session.commit()
    assert submission.state == "returned" and submission.attempt_number == 2
    first, second = submission.attempts
    assert first.outcome == "returned" and first.feedback == "Add a second goal sheet."
    assert [i.kind for i in second.items] == [i.kind for i in first.items]  # copied forward
    services.save_text(db.session, submission, 0, "Revised answer", by=teacher)
    assert first.items[0].text == "Grade 4, 26 students, maths."  # the returned attempt is frozen
    services.confirm_privacy(db.session, submission, by=teacher)
    services.transition(db.session, submission, "resubmit", by=teacher)
    services.transition(db.session, submission, "begin_review", by=coach, stage=1)
    services.transition(db.session, submission, "award", by=coach, note="Strong evidence.")
    db.session.commit()
    assert submission.state == "awarded"
    actions = db.session.scalars(db.select(SubmissionEvent.action).order_by(SubmissionEvent.id)).all()
    assert actions == ["start", "submit", "begin_review", "return", "resubmit", "begin_review", "award"]


def test_not_yet_needs_feedback(submission, teacher, coach):
    fill_in(submission, teacher)
    services.transition(db.session, submission, "submit", by=teacher)
    with pytest.raises(ValidationFailed, match="feedback is required"):
        services.transition(db.session, submission, "return", by=coach, note="  ")


@pytest.mark.parametrize("action", ["award", "return", "resubmit", "reopen", "advance"])
def test_moves_that_do_not_start_from_a_draft_are_refused(submission, teacher, coach, action):
    by = teacher if action in ("resubmit", "reopen") else coach
    with pytest.raises((InvalidTransition, NotAllowed)) as caught:
        services.transition(db.session, submission, action, by=by, note="x")
    assert caught.value.status in (403, 409)
    assert submission.state == "draft"


def test_nobody_reviews_their_own_work(make_user, badge):
    coach = make_user("coach", "teacher")
    own = services.start_badge(db.session, coach, badge)
    fill_in(own, coach)
    services.transition(db.session, own, "submit", by=coach)
    with pytest.raises(NotAllowed, match="not one of its reviewers"):
        services.transition(db.session, own, "begin_review", by=coach)


def test_a_teacher_cannot_act_on_a_colleagues_submission(submission, teacher, make_user):
    colleague = make_user("teacher")
    with pytest.raises(NotAllowed, match="Only the teacher who owns"):
        services.transition(db.session, submission, "withdraw", by=colleague)
    with pytest.raises(NotAllowed):
        services.save_text(db.session, submission, 0, "sneaky", by=colleague)


def test_withdraw_keeps_the_record_and_reopen_copies_the_evidence(submission, teacher):
    services.save_text(db.session, submission, 0, "Keep me", by=teacher)
    services.transition(db.session, submission, "withdraw", by=teacher)
    assert submission.state == "withdrawn"
    with pytest.raises(InvalidTransition, match="cannot be changed now"):
        services.save_text(db.session, submission, 0, "edit", by=teacher)
    services.transition(db.session, submission, "reopen", by=teacher)
    db.session.commit()
    assert submission.state == "draft" and submission.attempt_number == 2
    assert submission.current_attempt.items[0].text == "Keep me"
    assert db.session.scalar(db.select(db.func.count(EvidenceItem.id))) == 2


def test_evidence_cannot_change_once_submitted(submission, teacher):
    fill_in(submission, teacher)
    services.transition(db.session, submission, "submit", by=teacher)
    with pytest.raises(InvalidTransition, match="Withdraw it first"):
        services.save_text(db.session, submission, 0, "late edit", by=teacher)


def test_links_must_be_web_addresses(submission, teacher):
    for bad in ["javascript:alert(1)", "ftp://files.example/x", "not a link", "https://"]:
        with pytest.raises(ValidationFailed, match="must start with http"):
            services.save_link(db.session, submission, 2, bad, by=teacher)
    item = services.save_link(db.session, submission, 2, " https://www.youtube.com/watch?v=abc ", by=teacher)
    assert item.url == "https://www.youtube.com/watch?v=abc"
    assert services.link_label(item.url) == "YouTube video"


def test_a_written_answer_has_a_length_limit(submission, teacher):
    with pytest.raises(ValidationFailed, match="at most 20,000 characters"):
        services.save_text(db.session, submission, 0, "x" * 20001, by=teacher)


def test_the_catalogue_hears_about_progress(submission, teacher, badge):
    started, earned = receivers.badges_under_way(teacher, session=db.session)
    assert started == {badge.id} and earned == set()
