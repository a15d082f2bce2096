"""Review pages: the queue (and its JSON), the scoring page, claims and assignment; for the PD office
the overview of everything in review, chains, anchors and the quality figures."""
from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from milepost.accounts.models import School, User
from milepost.badges.models import Badge, BadgeStatus
from milepost.core import signals
from milepost.core.access import roles, signed_in
from milepost.core.errors import DomainError
from milepost.core.forms import apply_change, choices
from milepost.core.inputs import parse_int, query_int
from milepost.evidence import access as evidence_access
from milepost.evidence import services as evidence
from milepost.evidence.models import Attempt, AttemptOutcome, EvidenceItem
from milepost.extensions import db
from milepost.reviews import access, services
from milepost.reviews.forms import (
    ActionForm,
    AnchorForm,
    AssignForm,
    ChainForm,
    NewChainForm,
    QueueFilterForm,
    ReviewForm,
)
from milepost.reviews.models import DECISION_LABELS, STAGE_LABELS, Anchor, ReviewChain, ReviewTrack

bp = Blueprint("reviews", __name__)


def _reviewer_only():
    if not access.may_review(current_user):
        abort(403)


def _filters(form: QueueFilterForm) -> services.QueueFilters:
    return services.QueueFilters(badge_id=query_int("badge") or None,
                                 school_id=query_int("school") or None,
                                 stage=request.args.get("stage") if request.args.get("stage") in STAGE_LABELS else None,
                                 waiting_days=query_int("waiting") or None)


def _filter_form() -> QueueFilterForm:
    form = QueueFilterForm(request.args)
    badges = db.session.execute(select(Badge.id, Badge.title).where(Badge.status != BadgeStatus.DRAFT)
                                .order_by(Badge.title)).all()
    schools = db.session.execute(select(School.id, School.name).order_by(School.name)).all()
    form.badge.choices = choices([(0, "Any badge")] + [tuple(b) for b in badges])
    form.school.choices = choices([(0, "Any school")] + [tuple(s) for s in schools])
    return form


def who(track: ReviewTrack, submission) -> str:
    """The earner as reviewers see them: their name, or the anonymised number."""
    return submission.user.display_name if services.show_names() else f"Submission {track.ref}"


@bp.app_template_global("review_stage_label")
def review_stage_label(kind: str) -> str:
    return STAGE_LABELS.get(kind, kind)


QUEUE_PAGE = 50  # rows per page of the queue; the next page continues after the last one shown
ASSIGN_CHOICES = 60  # people offered for an assignment on the review page
SORTED_ROWS = 500  # the longest-waiting items sorted by time since sent
HOME_ITEMS = 3  # the oldest waiting items a coach's home page leads with


@bp.get("/reviews")
@signed_in
def queue():
    _reviewer_only()
    form = _filter_form()
    after = query_int("after")
    sort = request.args.get("sort") if request.args.get("sort") in services.SORTS else "stage"
    args = {k: v for k, v in request.args.items() if k not in ("after", "sort")}
    next_url = first_url = None
    if sort == "sent":
        # Sorted by time since sent over the longest-waiting items (the queue's index is by time at the stage).
        rows = services.by_time_since_sent(services.queue(db.session, current_user, _filters(form),
                                                          limit=SORTED_ROWS))[:QUEUE_PAGE]
    else:
        rows = services.queue(db.session, current_user, _filters(form), limit=QUEUE_PAGE + 1, after=after)
        if len(rows) > QUEUE_PAGE:
            rows = rows[:QUEUE_PAGE]
            next_url = url_for("reviews.queue", **args, after=rows[-1].submission.id)
        first_url = url_for("reviews.queue", **args) if after is not None else None
    return render_template("reviews/queue.html", rows=rows, form=form, who=who, action_form=ActionForm(),
                           next_url=next_url, first_url=first_url, sort=sort,
                           sort_urls={s: url_for("reviews.queue", **args, sort=s) for s in services.SORTS},
                           target_days=services.setting("REVIEW_TURNAROUND_DAYS"),
                           second_scores=services.asking_second_scores(db.session, current_user))


@bp.get("/reviews/queue.json")
@signed_in
def queue_json():
    _reviewer_only()
    rows = services.queue(db.session, current_user, _filters(QueueFilterForm(request.args)))
    return jsonify(items=[{
        "submission": row.submission.id,
        "earner": who(row.track, row.submission),
        "badge": row.submission.badge.title,
        "stage": row.stage.kind,
        "position": row.submission.stage,
        "waiting_since": row.track.entered_at.isoformat(),
        "taken": row.taken,
        "sent_at": row.submission.submitted_at.isoformat() if row.submission.submitted_at else None,
        "late": row.late,
        "claimed_by_me": row.mine(current_user),
        "url": url_for("reviews.review", submission_id=row.submission.id, _external=False),
    } for row in rows])


def _visible_or_404(submission_id: int):
    try:
        submission = services.submission_or_404(db.session, submission_id)
    except DomainError:
        abort(404)
    if not access.can_open(current_user, submission):
        abort(404)  # never say whether a submission you may not review exists
    return submission


@bp.route("/reviews/<int:submission_id>", methods=["GET", "POST"])
@signed_in
def review(submission_id: int):
    submission = _visible_or_404(submission_id)
    track = services.track_of(db.session, submission)
    stage = track.chain.stage_at(submission.stage)
    scoring = access.can_score(current_user, submission)
    reviews = services.reviews_of(db.session, submission)
    draft = services.draft_review(reviews, submission, current_user) if scoring else None
    if draft is not None and draft.position != submission.stage:
        draft = None
    form = ReviewForm(obj=draft)
    form.set_stage(stage.kind)
    problems, field_errors, kept = [], {}, False
    if request.method == "POST":
        if not scoring:
            abort(403)
        if not form.validate_on_submit():
            if "csrf_token" in form.errors:
                abort(400)
            problems = [e for errors in form.errors.values() for e in errors]
        else:
            submit = request.form.get("action") == "submit"
            data = services.ReviewInput(decision=form.decision.data or None, feedback=form.feedback.data or "",
                                        private_note=form.private_note.data or "",
                                        holistic_reason=form.holistic_reason.data or "",
                                        scores=_scores_from_form(submission))

            def refused(exc):
                pairs = getattr(exc, "field_problems", None) or [("", exc.message)]
                for name, message in pairs:
                    problems.append(message)
                    field_errors.setdefault(name, []).append(message)
                    if name in form and name != "csrf_token":
                        form[name].errors = [*form[name].errors, message]

            done = apply_change(
                lambda: services.save_review(db.session, submission, data, by=current_user, submit=submit),
                errors=refused,
                success="Your review is submitted. Thank you." if submit else
                        "Your draft review is saved. It counts only once you submit it.",
                then=url_for("reviews.queue") if submit else url_for("reviews.review", submission_id=submission.id))
            if done is None and submit:
                kept = _keep_as_draft(submission_id, data)
            if done:
                return done
        submission = services.submission_or_404(db.session, submission_id)
        track = services.track_of(db.session, submission)
        reviews = services.reviews_of(db.session, submission)
    return (_render_review(submission, track, form, scoring, draft, problems, reviews, field_errors, kept),
            400 if problems else 200)


def _keep_as_draft(submission_id: int, data) -> bool:
    """After a refused submit, keep what was typed as the reviewer's draft (its own unit of work), so the
    page may truthfully say it is saved; False when even a draft could not be kept (nothing is then saved)."""
    submission = services.submission_or_404(db.session, submission_id)
    try:
        services.save_review(db.session, submission, data, by=current_user, submit=False)
    except DomainError:
        db.session.rollback()
        return False
    db.session.commit()
    return True


@bp.post("/reviews/<int:submission_id>/autosave")
@signed_in
def autosave(submission_id: int):
    """Keeps the reviewer's draft while they work (reviews.js posts the whole form); JSON either way."""
    submission = _visible_or_404(submission_id)
    if not access.can_score(current_user, submission):
        return jsonify(error={"status": 403, "message": "You cannot review this submission now."}), 403
    form = ReviewForm()
    form.set_stage(services.track_of(db.session, submission).chain.stage_at(submission.stage).kind)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            return jsonify(error={"status": 400, "message": "Your session expired: reload the page."}), 400
        message = " ".join(e for errors in form.errors.values() for e in errors)
        return jsonify(error={"status": 400, "message": message}), 400
    data = services.ReviewInput(decision=form.decision.data or None, feedback=form.feedback.data or "",
                                private_note=form.private_note.data or "",
                                holistic_reason=form.holistic_reason.data or "", scores=_scores_from_form(submission))
    try:
        review = services.save_review(db.session, submission, data, by=current_user, submit=False)
    except DomainError as exc:
        db.session.rollback()
        return jsonify(error={"status": exc.status, "message": exc.message}), exc.status
    db.session.commit()
    return jsonify(saved=True, review=review.id)


def _scores_from_form(submission) -> dict[int, dict]:
    scores = {}
    for index, _criterion in enumerate(services.rubric(submission)["criteria"]):
        level = request.form.get(f"level-{index}", "")
        scores[index] = {"level": parse_int(level, minimum=0),
                         "glow": request.form.get(f"glow-{index}", ""), "grow": request.form.get(f"grow-{index}", ""),
                         "comment": request.form.get(f"comment-{index}", "")}
    return scores


def _render_review(submission, track, form, scoring, draft, problems, reviews, field_errors=None, kept=False):
    stage = track.chain.stage_at(submission.stage)
    items = evidence_access.visible_items(current_user, submission, submission.current_attempt.items)
    others, notes = services.colleagues_reviews(reviews, submission, current_user)
    typed = {s.criterion_index: s for s in draft.scores} if draft else {}
    if request.method == "POST":
        typed = {i: SimpleNamespace(**v) for i, v in _scores_from_form(submission).items()}
    claims = services.active_claims(db.session, submission, track) if submission.state in services.OPEN else []
    earlier, changes = [], []
    if submission.attempt_number > 1:
        earlier = services.earlier_attempts(submission, reviews)
        previous = next((a for a in submission.attempts if a.number == submission.attempt_number - 1), None)
        if previous is not None:
            changes = services.changes_since(
                previous, submission.current_attempt, submission.prompts,
                lambda found: evidence_access.visible_items(current_user, submission, found))
    assign_form = None
    if access.can_assign(current_user, submission):
        assign_form = AssignForm()
        # A bounded list: in a large district every coach may take a coach stage. The earner's school comes
        # first; assigning checks the rule itself, whoever is chosen.
        people = services.eligible_reviewers(db.session, submission, limit=ASSIGN_CHOICES)
        assign_form.reviewer_id.choices = choices(
            [(p.id, p.display_name + (f" ({p.school.name})" if p.school else "")) for p in people])
        assign_form.more = len(people) >= ASSIGN_CHOICES
    anchor = None
    if access.can_mark_anchor(current_user, submission):  # only then shown
        anchor = db.session.scalar(select(Anchor).where(Anchor.submission_id == submission.id))
    return render_template("reviews/review.html", submission=submission, track=track, stage=stage, form=form,
                           draft=draft, scoring=scoring, rubric=services.rubric(submission), items=items, others=others,
                           notes=notes, typed=typed, problems=problems, claims=claims, who=who(track, submission),
                           assign_form=assign_form, action_form=ActionForm(), anchor=anchor,
                           anchor_form=AnchorForm() if access.can_oversee(current_user) else None,
                           events=services.events_of(db.session, submission), decision_labels=DECISION_LABELS,
                           show_names=services.show_names(), link_label=evidence.link_label,
                           chain=track.chain, field_errors=field_errors or {}, kept=kept, earlier=earlier,
                           changes=changes,
                           meets_index=services.meets_index(services.rubric(submission)),
                           allows_holistic=services.allows_holistic(services.rubric(submission)),
                           check=services.score_check(services.rubric(submission),
                                                      {i: getattr(t, "level", None) for i, t in typed.items()}),
                           outside=[item for answer in signals.answers(
                               signals.outside_credentials_asked, submission, session=db.session) for item in answer])


@bp.post("/reviews/<int:submission_id>/<any(claim, release):action>")
@signed_in
def claim(submission_id: int, action: str):
    submission = _visible_or_404(submission_id)
    ActionForm().validate_on_submit() or abort(400)
    if action == "claim":
        services.claim(db.session, submission, by=current_user)
        message = "It is yours: others see it is taken while you review it."
    else:
        services.release(db.session, submission, by=current_user)
        message = "Released: it is back in the queue for others."
    db.session.commit()
    flash(message, "success")
    target = url_for("reviews.review", submission_id=submission.id) if action == "claim" else url_for("reviews.queue")
    return redirect(target)


@bp.post("/reviews/<int:submission_id>/assign")
@roles("coach", "pd_admin")
def assign(submission_id: int):
    submission = services.submission_or_404(db.session, submission_id)
    if not access.can_assign(current_user, submission):
        abort(404)
    form = AssignForm()
    form.validate_on_submit() or abort(400)
    reviewer = db.session.get(User, form.reviewer_id.data or 0)
    services.assign(db.session, submission, reviewer, by=current_user)
    db.session.commit()
    flash(f"Assigned to {reviewer.display_name}.", "success")
    return redirect(url_for("reviews.review", submission_id=submission.id))


# --------------------------------------------------------------------------- the PD office


@bp.get("/reviews/overview")
@roles("pd_admin")
def overview():
    form = _filter_form()
    rows = services.overview(db.session, _filters(form))
    return render_template("reviews/overview.html", rows=rows, form=form, who=who,
                           stuck_days=services.setting("REVIEW_STUCK_DAYS"))


@bp.get("/reviews/quality")
@roles("pd_admin")
def quality():
    return render_template("reviews/quality.html", agreement=services.agreement(db.session),
                           reviewers=services.reviewer_stats(db.session),
                           stages=services.stage_turnaround(db.session))


@bp.get("/reviews/disagreements")
@roles("pd_admin")
def disagreements():
    """Past awards whose scores disagree with their "meets": listed for the PD office, never changed."""
    return render_template("reviews/disagreements.html", rows=services.disagreeing_awards(db.session),
                           show_names=services.show_names())


@bp.route("/reviews/chains", methods=["GET", "POST"])
@roles("pd_admin")
def chains():
    services.default_chains(db.session)
    db.session.commit()
    form = NewChainForm()
    own = {c.badge_id for c in db.session.scalars(select(ReviewChain).where(ReviewChain.badge_id.is_not(None)))}
    badges = db.session.execute(select(Badge.id, Badge.title).where(Badge.status != BadgeStatus.RETIRED)
                                .order_by(Badge.title)).all()
    form.badge_id.choices = choices([(b.id, b.title) for b in badges if b.id not in own])
    if form.validate_on_submit():
        badge = db.session.get(Badge, form.badge_id.data or 0) or abort(400)
        default = services.chain_for(db.session, badge)
        services.save_chain(db.session, f"badge:{badge.id}", _stage_dicts(default), by=current_user, badge=badge)
        db.session.commit()
        return redirect(url_for("reviews.chain", scope=f"badge:{badge.id}"))
    rows = db.session.scalars(select(ReviewChain).options(selectinload(ReviewChain.badge))
                              .order_by(ReviewChain.badge_id.is_not(None), ReviewChain.name)).all()
    return render_template("reviews/chains.html", chains=rows, form=form)


def _stage_dicts(chain) -> list[dict]:
    return [{"kind": s.kind, "required_reviews": s.required_reviews, "skip_after_days": s.skip_after_days}
            for s in chain.stages]


@bp.route("/reviews/chains/<scope>", methods=["GET", "POST"])
@roles("pd_admin")
def chain(scope: str):
    chain = db.session.scalar(select(ReviewChain).where(ReviewChain.scope == scope)) or abort(404)
    form = ChainForm(data={"stages": _stage_dicts(chain)} if request.method == "GET" else None)
    problems = []
    if request.method == "POST" and form.validate_on_submit():
        stages = [{"kind": e.kind.data, "required_reviews": e.required_reviews.data or 1,
                   "skip_after_days": e.skip_after_days.data} for e in form.stages if e.kind.data]
        if request.form.get("add"):
            form.stages.append_entry({"kind": "", "required_reviews": 1})
        else:
            done = apply_change(lambda: services.save_chain(db.session, scope, stages, by=current_user),
                                errors=problems, each_problem=True, then=url_for("reviews.chains"),
                                success="The chain is saved. Submissions sent from now on follow it.")
            if done:
                return done
    elif request.method == "POST":
        problems = [f"{e}" for errors in form.errors.values() for e in errors]
    return render_template("reviews/chain.html", chain=chain, form=form, problems=problems), 400 if problems else 200


@bp.post("/reviews/chains/<scope>/remove")
@roles("pd_admin")
def remove_chain(scope: str):
    ActionForm().validate_on_submit() or abort(400)
    services.remove_chain(db.session, scope, by=current_user)
    db.session.commit()
    flash("The badge uses the default chain again.", "success")
    return redirect(url_for("reviews.chains"))


# --------------------------------------------------------------------------- anchors (calibration)


@bp.post("/reviews/<int:submission_id>/anchor")
@roles("pd_admin")
def mark_anchor(submission_id: int):
    submission = services.submission_or_404(db.session, submission_id)
    form = AnchorForm()
    form.validate_on_submit() or abort(400)
    services.mark_anchor(db.session, submission, by=current_user, note=form.note.data or "")
    db.session.commit()
    flash("Marked as an anchor: reviewers can now calibrate against it (without items that show students).",
          "success")
    return redirect(url_for("reviews.anchors"))


@bp.post("/reviews/anchors/<int:anchor_id>/remove")
@roles("pd_admin")
def remove_anchor(anchor_id: int):
    ActionForm().validate_on_submit() or abort(400)
    anchor = db.session.get(Anchor, anchor_id) or abort(404)
    services.unmark_anchor(db.session, anchor, by=current_user)
    db.session.commit()
    flash("No longer an anchor.", "success")
    return redirect(url_for("reviews.anchors"))


@bp.get("/reviews/anchors")
@signed_in
def anchors():
    _reviewer_only()
    return render_template("reviews/anchors.html", anchors=services.anchors(db.session), action_form=ActionForm())


def _anchor_items(anchor: Anchor) -> list[EvidenceItem]:
    """The anchor attempt's items this person may see (never the ones marked as showing students)."""
    attempt = db.session.scalar(select(Attempt).where(Attempt.submission_id == anchor.submission_id,
                                                      Attempt.number == anchor.attempt_number)
                                .options(selectinload(Attempt.items).selectinload(EvidenceItem.file)))
    return [i for i in attempt.items if access.can_view_anchor_item(current_user, i)] if attempt else []


@bp.get("/reviews/anchors/<int:anchor_id>")
@signed_in
def anchor(anchor_id: int):
    _reviewer_only()
    anchor = db.session.get(Anchor, anchor_id) or abort(404)
    submission = services.submission_or_404(db.session, anchor.submission_id)
    reviews = [r for r in services.teacher_feedback(db.session, submission, anchor.attempt_number)
               if r.stage_kind in services.DECIDING]
    attempt = next(a for a in submission.attempts if a.number == anchor.attempt_number)
    return render_template("reviews/anchor.html", anchor=anchor, submission=submission, attempt=attempt,
                           items=_anchor_items(anchor), reviews=reviews, rubric=services.rubric(submission),
                           marks={r.id: {s.criterion_index: s.level for s in r.scores} for r in reviews},
                           link_label=evidence.link_label)


@bp.get("/reviews/anchors/<int:anchor_id>/files/<int:item_id>")
@signed_in
def anchor_file(anchor_id: int, item_id: int):
    _reviewer_only()
    anchor = db.session.get(Anchor, anchor_id) or abort(404)
    item = next((i for i in _anchor_items(anchor) if i.id == item_id and i.file_sha256), None) or abort(404)
    from milepost.evidence.views import send_evidence_file

    return send_evidence_file(item)


# --------------------------------------------------------------------------- calibration rounds, double-scoring


def _levels_from_form(submission) -> dict[int, int | None]:
    levels = {}
    for index, _criterion in enumerate(services.rubric(submission)["criteria"]):
        raw = request.form.get(f"level-{index}", "")
        levels[index] = int(raw) if raw.isdigit() else None
    return levels


@bp.route("/reviews/anchors/<int:anchor_id>/calibrate", methods=["GET", "POST"])
@signed_in
def calibrate(anchor_id: int):
    """A calibration round: the exemplar's evidence and a blind scoring form (its agreed scores are not shown)."""
    _reviewer_only()
    anchor = db.session.get(Anchor, anchor_id) or abort(404)
    submission = services.submission_or_404(db.session, anchor.submission_id)
    problems, typed = [], {}
    if request.method == "POST":
        ActionForm().validate_on_submit() or abort(400)
        typed = _levels_from_form(submission)
        done = apply_change(lambda: services.calibrate(db.session, anchor, typed, by=current_user),
                            errors=problems, each_problem=True, success=None,
                            then=lambda row: url_for("reviews.calibration_round", round_id=row.id))
        if done:
            return done
    attempt = next(a for a in submission.attempts if a.number == anchor.attempt_number)
    return render_template("reviews/calibrate.html", anchor=anchor, submission=submission, attempt=attempt,
                           items=_anchor_items(anchor), rubric=services.rubric(submission), typed=typed,
                           problems=problems, link_label=evidence.link_label), 400 if problems else 200


@bp.get("/reviews/calibration/rounds/<int:round_id>")
@signed_in
def calibration_round(round_id: int):
    """A round's result: the reviewer's scores beside the agreed ones (their own rounds; the PD office's all)."""
    from milepost.reviews.models import CalibrationScore

    row = db.session.get(CalibrationScore, round_id)
    if row is None or not (row.user_id == current_user.id or access.can_oversee(current_user)):
        abort(404)
    result = services.round_result(db.session, row)
    return render_template("reviews/calibration_round.html", row=row, result=result,
                           exact=sum(1 for r in result if r["exact"]), adjacent=sum(1 for r in result if r["adjacent"]))


@bp.route("/reviews/calibration", methods=["GET", "POST"])
@roles("pd_admin")
def calibration():
    """The PD office: agreement from calibration rounds and from double-scoring, and the share of each
    badge's live submissions that gets a second blind score."""
    problems = []
    if request.method == "POST":
        ActionForm().validate_on_submit() or abort(400)
        badge = db.session.get(Badge, parse_int(request.form.get("badge_id")) or 0) or abort(400)
        raw = (request.form.get("percent") or "").strip()
        percent = int(raw) if raw.isdigit() else -1
        done = apply_change(lambda: services.set_double_scoring(db.session, badge, percent, by=current_user),
                            errors=problems, then=url_for("reviews.calibration"),
                            success=f"{badge.title}: {percent}% of live submissions get a second blind score."
                            if 0 <= percent <= 100 else None)
        if done:
            return done
    badges = db.session.scalars(select(Badge).where(Badge.status == BadgeStatus.PUBLISHED).order_by(Badge.title)).all()
    return render_template("reviews/calibration.html", rounds=services.calibration_report(db.session),
                           seconds=services.double_scoring_report(db.session), badges=badges,
                           shares=services.double_scoring(db.session), problems=problems,
                           min_pairs=services.MIN_KAPPA_PAIRS, action_form=ActionForm()), 400 if problems else 200


@bp.route("/reviews/<int:submission_id>/second-score", methods=["GET", "POST"])
@signed_in
def second_score(submission_id: int):
    """A second, blind score of a sampled live submission: the evidence, without anyone's scores or feedback."""
    submission = _visible_or_404(submission_id)
    if not services.may_second_score(db.session, current_user, submission):
        abort(403)
    problems, typed = [], {}
    if request.method == "POST":
        ActionForm().validate_on_submit() or abort(400)
        typed = _levels_from_form(submission)
        done = apply_change(lambda: services.second_score(db.session, submission, typed, by=current_user),
                            errors=problems, each_problem=True, then=url_for("reviews.queue"),
                            success="Your second score is kept. Thank you: it shows how consistently the rubric "
                                    "is applied.")
        if done:
            return done
    items = evidence_access.visible_items(current_user, submission, submission.current_attempt.items)
    return render_template("reviews/second_score.html", submission=submission, items=items,
                           rubric=services.rubric(submission), typed=typed, problems=problems,
                           link_label=evidence.link_label), 400 if problems else 200


def home_cards(user) -> list[dict]:
    cards = []
    if access.may_review(user):
        card = {"title": "Reviews", "text": "Colleagues' evidence waiting for your feedback or decision, "
                                            "oldest first, and exemplars to calibrate against.",
                "url": url_for("reviews.queue")}
        if user.has_role("coach"):
            # A coach's home page leads with the work that has waited longest.
            rows = services.queue(db.session, user, limit=HOME_ITEMS)
            card.update(lead=True, title="Waiting longest for your review" if rows else "Reviews", items=[
                {"label": f"{row.submission.badge.title}: {who(row.track, row.submission)}",
                 "url": url_for("reviews.review", submission_id=row.submission.id),
                 "note": f"sent {row.since_sent.days} day{'s' if row.since_sent.days != 1 else ''} ago"
                         + (", past the district's target" if row.late else ""), "late": row.late}
                for row in rows])
            if not rows:
                card["text"] = "Nothing is waiting for you right now. " + card["text"]
        cards.append(card)
    if access.can_oversee(user):
        cards.append({"title": "Review chains and quality", "text": "Chains, stuck items, assignment, turnaround "
                                                                     "and agreement between reviewers.",
                      "url": url_for("reviews.overview")})
    return cards


def review_feedback_for(submission):
    """For the submission page: the structured feedback of the latest decided attempt, or None."""
    decided = [a for a in submission.attempts if a.outcome in (AttemptOutcome.RETURNED, AttemptOutcome.AWARDED)]
    if not decided:
        return None
    attempt = decided[-1]
    reviews = services.teacher_feedback(db.session, submission, attempt.number)
    if not reviews:
        return None
    return {"attempt": attempt, "reviews": reviews, "rubric": services.rubric(submission),
            "show_names": services.show_names()}
