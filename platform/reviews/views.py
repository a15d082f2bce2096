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
    return services.QueueFilters(badge_id=request.args.get("badge", type=int) or None,
                                 school_id=request.args.get("school", type=int) or None,
                                 stage=request.args.get("stage") if request.args.get("stage") in STAGE_LABELS else None,
                                 waiting_days=request.args.get("waiting", type=int) or None)


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


@bp.get("/reviews")
@signed_in
def queue():
    _reviewer_only()
    form = _filter_form()
    after = request.args.get("after", type=int)
    rows = services.queue(db.session, current_user, _filters(form), limit=QUEUE_PAGE + 1, after=after)
    args = {k: v for k, v in request.args.items() if k != "after"}
    next_url = None
    if len(rows) > QUEUE_PAGE:
        rows = rows[:QUEUE_PAGE]
        next_url = url_for("reviews.queue", **args, after=rows[-1].submission.id)
    first_url = url_for("reviews.queue", **args) if after is not None else None
    return render_template("reviews/queue.html", rows=rows, form=form, who=who, action_form=ActionForm(),
                           next_url=next_url, first_url=first_url)


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
    problems = []
    if request.method == "POST":
        if not scoring:
            abort(403)
        if not form.validate_on_submit():
            abort(400)
        submit = request.form.get("action") == "submit"
        data = services.ReviewInput(decision=form.decision.data or None, feedback=form.feedback.data or "",
                                    private_note=form.private_note.data or "", scores=_scores_from_form(submission))
        done = apply_change(
            lambda: services.save_review(db.session, submission, data, by=current_user, submit=submit),
            errors=problems, each_problem=True,
            success="Your review is submitted. Thank you." if submit else
                    "Your draft review is saved. It counts only once you submit it.",
            then=url_for("reviews.queue") if submit else url_for("reviews.review", submission_id=submission.id))
        if done:
            return done
        submission = services.submission_or_404(db.session, submission_id)
        track = services.track_of(db.session, submission)
        reviews = services.reviews_of(db.session, submission)
    return _render_review(submission, track, form, scoring, draft, problems, reviews), 400 if problems else 200


def _scores_from_form(submission) -> dict[int, dict]:
    scores = {}
    for index, _criterion in enumerate(services.rubric(submission)["criteria"]):
        level = request.form.get(f"level-{index}", "")
        scores[index] = {"level": int(level) if level.isdigit() else None,
                         "glow": request.form.get(f"glow-{index}", ""), "grow": request.form.get(f"grow-{index}", ""),
                         "comment": request.form.get(f"comment-{index}", "")}
    return scores


def _render_review(submission, track, form, scoring, draft, problems, reviews):
    stage = track.chain.stage_at(submission.stage)
    items = evidence_access.visible_items(current_user, submission, submission.current_attempt.items)
    others, notes = services.colleagues_reviews(reviews, submission, current_user)
    typed = {s.criterion_index: s for s in draft.scores} if draft else {}
    if request.method == "POST":
        typed = {i: SimpleNamespace(**v) for i, v in _scores_from_form(submission).items()}
    claims = services.active_claims(db.session, submission, track) if submission.state in services.OPEN else []
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
                           scoring=scoring, rubric=services.rubric(submission), items=items, others=others,
                           notes=notes, typed=typed, problems=problems, claims=claims, who=who(track, submission),
                           assign_form=assign_form, action_form=ActionForm(), anchor=anchor,
                           anchor_form=AnchorForm() if access.can_oversee(current_user) else None,
                           events=services.events_of(db.session, submission), decision_labels=DECISION_LABELS,
                           show_names=services.show_names(), link_label=evidence.link_label,
                           chain=track.chain, outside=[item for answer in signals.answers(
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


def home_cards(user) -> list[dict]:
    cards = []
    if access.may_review(user):
        cards.append({"title": "Reviews", "text": "Colleagues' evidence waiting for your feedback or decision, "
                                                   "oldest first, and exemplars to calibrate against.",
                      "url": url_for("reviews.queue")})
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
