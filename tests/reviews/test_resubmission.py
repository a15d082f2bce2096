"""A resubmission comes with its context: the earlier decision, every reviewer's earlier feedback and scores,
and what changed per prompt (the text as a word diff, files added, removed or replaced). The teacher reads
the feedback once."""
from __future__ import annotations

import io
from pathlib import Path

from milepost.evidence import services as evidence
from milepost.evidence.storage import FileStore
from milepost.extensions import db
from milepost.reviews import services
from tests.helpers.evidence import PNG
from tests.helpers.reviews import fresh, review_input


def test_word_diff_marks_added_and_removed_words():
    runs = services.word_diff("Students write one goal a week.", "Students write two goals a week, then reflect.")
    assert runs == [("same", "Students write "), ("removed", "one"), ("added", "two"), ("same", " "),
                    ("removed", "goal"), ("added", "goals"), ("same", " a "), ("removed", "week."),
                    ("added", "week, then reflect.")]
    assert services.word_diff("Same text.", "Same text.") == [("same", "Same text.")]
    assert services.word_diff("", "New.") == [("added", "New.")]


def keep(app, name: str, content: bytes):
    return FileStore(Path(app.config["UPLOAD_PATH"]) / "evidence").save(io.BytesIO(content), filename=name,
                                                                         max_bytes=10 ** 7)


def returned_and_revised(app, people, send):
    """Attempt 1 returned "not yet" by the coach (after a peer's feedback); attempt 2 revised and resubmitted:
    the answer reworded, the sheet replaced by new content under the same name, the class photo removed and
    a plan added."""
    sub = send(people.teacher)
    services.save_review(db.session, sub, review_input("peer", feedback="Peer: nice sheets."), by=people.peer,
                         submit=True)
    services.save_review(db.session, fresh(sub), services.ReviewInput(
        decision="not_yet", feedback="Add a goal written by a student.",
        scores={0: {"level": 1, "comment": "Goals are the teacher's."}, 1: {"level": 2, "comment": "Honest."}}),
        by=people.coach, submit=True)
    db.session.commit()
    sub = fresh(sub)
    evidence.save_text(db.session, sub, 0, "Grade 4, 26 students, maths and science.", by=people.teacher)
    items = {i.filename: i for i in sub.current_attempt.items if i.kind == "file"}
    evidence.remove_item(db.session, items["sheet.png"], by=people.teacher)
    evidence.remove_item(db.session, items["class.pdf"], by=people.teacher)
    evidence.add_file(db.session, sub, 1, keep(app, "sheet.png", PNG + b"revised"), "sheet.png", by=people.teacher,
                      max_submission_bytes=10 ** 9)
    evidence.add_file(db.session, sub, 1, keep(app, "plan.png", PNG + b"plan"), "plan.png", by=people.teacher,
                      max_submission_bytes=10 ** 9)
    evidence.confirm_privacy(db.session, sub, by=people.teacher)
    evidence.transition(db.session, sub, "resubmit", by=people.teacher)
    db.session.commit()
    return fresh(sub)


def test_the_coach_sees_the_earlier_decision_feedback_scores_and_what_changed(app, people, use_chain, send,
                                                                              client_for):
    use_chain("peer", "coach")
    sub = returned_and_revised(app, people, send)
    assert sub.attempt_number == 2 and sub.stage == 2  # straight back to the coach who returned it

    page = client_for(people.coach).get(f"/reviews/{sub.id}").get_data(as_text=True)
    assert "Resubmission: attempt 2" in page and "Attempt 1: not yet" in page
    # Every reviewer's earlier feedback and scores per criterion.
    assert "Peer: nice sheets." in page and "Add a goal written by a student." in page
    assert "<dt>Goal quality</dt>" in page and "<strong>Developing</strong>" in page
    assert "Goals are the teacher&#39;s." in page
    assert "Glow: Clear" in page
    # What changed, prompt by prompt.
    assert "What changed since attempt 1" in page
    assert "Grade 4, 26 students, <del>maths.</del><ins>maths and science.</ins>" in page
    assert "File replaced: sheet.png (new content)" in page and "File added: plan.png" in page
    assert "File removed: class.pdf" in page
    assert "3. Link to a short video <span class=\"muted\">(unchanged)</span>" in page


def test_what_changed_hides_items_the_reader_may_not_see(app, people, use_chain, send):
    use_chain("peer", "coach")
    sub = returned_and_revised(app, people, send)
    previous = next(a for a in sub.attempts if a.number == 1)
    everything = services.changes_since(previous, sub.current_attempt, sub.prompts, lambda items: list(items))
    assert [i.filename for i in everything[1].removed] == ["class.pdf"]
    no_students = services.changes_since(previous, sub.current_attempt, sub.prompts,
                                         lambda items: [i for i in items if not i.student_info])
    assert no_students[1].removed == []  # the class photo shows students: never named to those who may not see it
    assert [(old.filename, new.filename) for old, new in no_students[1].replaced] == [("sheet.png", "sheet.png")]


def test_a_first_attempt_has_no_resubmission_context(people, use_chain, send, client_for):
    use_chain("coach")
    sub = send(people.teacher)
    page = client_for(people.coach).get(f"/reviews/{sub.id}").get_data(as_text=True)
    assert "Resubmission:" not in page and "What changed since" not in page


def test_the_teacher_reads_the_feedback_once(app, people, use_chain, send, client_for):
    use_chain("peer", "coach")
    sub = send(people.teacher)
    services.save_review(db.session, sub, review_input("peer"), by=people.peer, submit=True)
    services.save_review(db.session, fresh(sub), services.ReviewInput(
        decision="not_yet", feedback="Add a goal written by a student.",
        scores={0: {"level": 1, "comment": "Goals are the teacher's."}, 1: {"level": 2, "comment": "Honest."}}),
        by=people.coach, submit=True)
    db.session.commit()
    page = client_for(people.teacher).get(f"/submissions/{sub.id}").get_data(as_text=True)
    assert "Feedback on attempt 1: not yet" in page
    # Once in the page's feedback (the earlier-attempts list below keeps its own record, folded away).
    top = page.split('id="earlier-title"')[0]
    assert top.count("Add a goal written by a student.") == 1 and top.count("Goals are the teacher&#39;s.") == 1
    assert "Feedback by rubric criterion" not in page


def test_one_file_swapped_for_another_reads_as_replaced_and_links_are_compared():
    from types import SimpleNamespace as Item

    def attempt(*items):
        return Item(items=list(items))

    before = attempt(Item(prompt_index=0, kind="file", filename="IMG_0001.MOV", file_sha256="a" * 64),
                     Item(prompt_index=1, kind="link", url="https://example.org/old", filename="", file_sha256=None))
    after = attempt(Item(prompt_index=0, kind="file", filename="IMG_0002.MOV", file_sha256="b" * 64),
                    Item(prompt_index=1, kind="link", url="https://example.org/new", filename="", file_sha256=None))
    video, link = services.changes_since(before, after, [{"title": "Video"}, {"title": "Link"}], list)
    assert [(o.filename, n.filename) for o, n in video.replaced] == [("IMG_0001.MOV", "IMG_0002.MOV")]
    assert video.added == [] and video.removed == [] and video.changed
    assert link.links_added == ["https://example.org/new"] and link.links_removed == ["https://example.org/old"]
