"""Points pages: my points and degree, rewards, certificates, leaderboards; and the PD office's
pages for tiers, rewards, claims, adjustments, direct awards and revocations."""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from milepost.accounts.models import User
from milepost.awards import services as awards
from milepost.awards.models import Award
from milepost.badges.models import Badge, BadgeStatus
from milepost.core.access import roles, signed_in
from milepost.core.forms import apply_change, choices
from milepost.core.inputs import query_int
from milepost.core.model import utcnow
from milepost.extensions import db
from milepost.points import access, services
from milepost.points.forms import AdjustForm, DirectAwardForm, RevokeForm, RewardForm, TierForm
from milepost.points.models import KIND_LABELS, ClaimStatus, DegreeTier, PointsAccount, Reward, RewardClaim, TierReached

bp = Blueprint("points", __name__)
staff = roles(*access.MANAGER_ROLES)
NONE = 0


@bp.get("/points")
@signed_in
def mine():
    # Read first and held: the balance lookups below then find it in the session instead of querying again.
    account = db.session.get(PointsAccount, current_user.id)
    progress = services.degree_progress(db.session, current_user.id)
    return render_template(
        "points/mine.html", progress=progress, balance=account.balance if account else 0,
        opted_in=bool(account and account.leaderboard_opt_in),
        history=services.history(db.session, current_user.id), kind_labels=KIND_LABELS,
        rewards=services.rewards_for(db.session, current_user.id, points=progress.standing.points,
                                     reached={r.tier_id for r in progress.reached}),
        awards=awards.awards_of(db.session, current_user))


@bp.post("/points/leaderboard-choice")
@signed_in
def leaderboard_choice():
    account = services._account(db.session, current_user.id)
    account.leaderboard_opt_in = request.form.get("opt_in") == "1"
    db.session.commit()
    flash("You are shown by name on the leaderboard." if account.leaderboard_opt_in
          else "You are no longer named on the leaderboard; your points still count for your school and PLC.",
          "success")
    return redirect(url_for("points.mine"))


@bp.post("/awards/<int:award_id>/preferences")
@signed_in
def award_preferences(award_id: int):
    award = db.session.get(Award, award_id)
    if not access.can_set_award_choices(current_user, award):
        abort(404)
    award.private = request.form.get("private") == "1"
    award.go_to = request.form.get("go_to") == "1"
    db.session.commit()
    flash("Your choices for this badge are saved.", "success")
    return redirect(url_for("points.mine") + "#awards")


@bp.post("/points/rewards/<int:reward_id>/claim")
@signed_in
def claim(reward_id: int):
    reward = db.get_or_404(Reward, reward_id)
    services.claim_reward(db.session, reward, user=current_user)
    db.session.commit()
    flash(f"You claimed “{reward.name}”. The PD office will be in touch to arrange it.", "success")
    return redirect(url_for("points.mine") + "#rewards")


@bp.get("/points/certificate/<int:tier_id>")
@signed_in
def certificate(tier_id: int):
    reached = db.session.scalar(select(TierReached).where(TierReached.user_id == current_user.id,
                                                          TierReached.tier_id == tier_id))
    if not access.can_view_certificate(current_user, reached):
        abort(404)
    return render_template("points/certificate.html", reached=reached, person=current_user)


@bp.get("/leaderboard")
@signed_in
def leaderboard():
    period = request.args.get("period", "year")
    period = period if period in services.PERIODS else "year"
    return render_template("points/leaderboard.html", period=period, periods=services.PERIODS,
                           people=services.people_board(db.session, period),
                           schools=services.group_board(db.session, period, "school", viewer=current_user),
                           plcs=services.group_board(db.session, period, "plc", viewer=current_user))


def celebrate() -> None:
    """Before a page is shown: congratulate, once, on each degree tier reached since the last visit."""
    if not current_user.is_authenticated or request.method != "GET" or request.path.startswith(("/static", "/api")):
        return
    rows = services.uncelebrated(db.session, current_user.id)
    if not rows:
        return
    for row in rows:
        row.celebrated_at = utcnow()
        flash(f"Congratulations! You have reached {row.tier.name}. Your certificate is on your points page.",
              "success")
    db.session.commit()


# --------------------------------------------------------------------------- the PD office


@bp.get("/admin/points")
@staff
def admin():
    open_claims = db.session.scalars(select(RewardClaim).where(RewardClaim.status == ClaimStatus.CLAIMED)
                                     .options(selectinload(RewardClaim.reward), selectinload(RewardClaim.user))
                                     .order_by(RewardClaim.claimed_at)).all()
    fulfilled = db.session.scalars(select(RewardClaim).where(RewardClaim.status == ClaimStatus.FULFILLED)
                                   .options(selectinload(RewardClaim.reward), selectinload(RewardClaim.user))
                                   .order_by(RewardClaim.fulfilled_at.desc()).limit(50)).all()
    return render_template("points/admin.html", tiers=services.tiers(db.session),
                           rewards=db.session.scalars(select(Reward).options(selectinload(Reward.tier))
                                                      .order_by(Reward.id)).all(),
                           open_claims=open_claims, fulfilled=fulfilled)


def _badge_choices():
    rows = db.session.execute(select(Badge.id, Badge.title).where(Badge.status == BadgeStatus.PUBLISHED)
                              .order_by(func.lower(Badge.title))).all()
    return choices(rows)


@bp.route("/admin/points/tiers/new", methods=["GET", "POST"])
@bp.route("/admin/points/tiers/<int:tier_id>", methods=["GET", "POST"])
@staff
def edit_tier(tier_id: int | None = None):
    tier = db.get_or_404(DegreeTier, tier_id) if tier_id else None
    form = TierForm(obj=tier)
    form.required_badge_ids.choices = _badge_choices()
    if request.method == "GET" and tier is not None:
        form.required_badge_ids.data = [b.id for b in tier.required_badges]
    if form.validate_on_submit():
        done = apply_change(
            lambda: services.save_tier(
                db.session, tier, name=form.name.data, description=form.description.data,
                threshold=form.threshold.data, min_credit_hours=float(form.min_credit_hours.data or 0),
                min_strands=form.min_strands.data or 0, badges_per_strand=form.badges_per_strand.data or 1,
                required_badges=db.session.scalars(
                    select(Badge).where(Badge.id.in_(form.required_badge_ids.data or []))).all(),
                actor=current_user),
            errors=form.name.errors, then=url_for("points.admin"),
            success="The degree tier is saved. People who now meet it will see it on their next visit.")
        if done:
            return done
    return render_template("points/tier_form.html", form=form, tier=tier), 400 if form.errors else 200


@bp.route("/admin/points/rewards/new", methods=["GET", "POST"])
@bp.route("/admin/points/rewards/<int:reward_id>", methods=["GET", "POST"])
@staff
def edit_reward(reward_id: int | None = None):
    reward = db.get_or_404(Reward, reward_id) if reward_id else None
    form = RewardForm(obj=reward)
    form.tier_id.choices = choices([(NONE, "No tier needed")] + [(t.id, t.name) for t in services.tiers(db.session)])
    if request.method == "GET" and reward is not None:
        form.tier_id.data = reward.tier_id or NONE
    if form.validate_on_submit():
        done = apply_change(
            lambda: services.save_reward(
                db.session, reward, name=form.name.data, description=form.description.data,
                points_needed=form.points_needed.data,
                tier=db.session.get(DegreeTier, form.tier_id.data) if form.tier_id.data else None,
                active=form.active.data, actor=current_user),
            errors=form.name.errors, success="The reward is saved.", then=url_for("points.admin"))
        if done:
            return done
    return render_template("points/reward_form.html", form=form, reward=reward), 400 if form.errors else 200


@bp.post("/admin/points/claims/<int:claim_id>/fulfil")
@staff
def fulfil(claim_id: int):
    claim = db.get_or_404(RewardClaim, claim_id)
    services.fulfil_claim(db.session, claim, by=current_user, note=request.form.get("note", "")[:500])
    db.session.commit()
    flash("Marked as fulfilled.", "success")
    return redirect(url_for("points.admin"))


def _person(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))


@bp.route("/admin/points/adjust", methods=["GET", "POST"])
@staff
def adjust():
    form = AdjustForm()
    if form.validate_on_submit():
        person = _person(form.email.data)
        if person is None:
            form.email.errors.append("Nobody has that email address.")
        else:
            done = apply_change(
                lambda: services.adjust(db.session, user=person, amount=form.amount.data, reason=form.reason.data,
                                        by=current_user),
                errors=form.amount.errors, then=url_for("points.admin"),
                success=f"{form.amount.data:+d} points for {person.display_name} are recorded.")
            if done:
                return done
    return render_template("points/adjust.html", form=form), 400 if form.errors else 200


@bp.route("/admin/awards", methods=["GET"])
@staff
def awards_list():
    q = request.args.get("q", "").strip().lower()
    query = (select(Award).options(selectinload(Award.user), selectinload(Award.badge))
             .join(User, User.id == Award.user_id).order_by(Award.issued_at.desc()))
    if q:
        query = query.where(func.lower(User.display_name).like(f"%{q}%") | User.email.like(f"%{q}%"))
    pager = db.paginate(query, page=query_int("page", 1), per_page=50, error_out=False)
    return render_template("points/awards.html", pager=pager, q=q, form=RevokeForm())


@bp.post("/admin/awards/<int:award_id>/revoke")
@staff
def revoke(award_id: int):
    award = db.get_or_404(Award, award_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash("Give the reason for revoking.", "error")
        return redirect(url_for("points.awards_list"))
    awards.revoke_award(db.session, award, reason=form.reason.data, by=current_user)
    db.session.commit()
    flash("The award is revoked and its points reversed.", "success")
    return redirect(url_for("points.awards_list"))


EMAIL_SPLIT = re.compile(r"[\s,;]+")


@bp.route("/admin/awards/direct", methods=["GET", "POST"])
@staff
def direct():
    form = DirectAwardForm()
    form.badge_id.choices = _badge_choices()
    problems = []
    if form.validate_on_submit():
        emails = [e.lower() for e in EMAIL_SPLIT.split(form.emails.data or "") if e]
        people = db.session.scalars(select(User).where(User.email.in_(emails))).all()
        found = {p.email for p in people}
        problems = [f"Nobody has the address {e}." for e in dict.fromkeys(emails) if e not in found]
        if not problems:
            badge = db.get_or_404(Badge, form.badge_id.data)
            done = apply_change(
                lambda: services.direct_award(db.session, badge=badge, people=people, reason=form.reason.data,
                                              by=current_user),
                errors=problems, then=url_for("points.awards_list"),
                success=lambda made_and_held: _awarded(badge, *made_and_held))
            if done:
                return done
    return render_template("points/direct.html", form=form, problems=problems), \
        400 if (problems or form.errors) else 200


def _awarded(badge: Badge, made: list, held: list) -> str:
    return f"{badge.title} awarded to {len(made)} people" + (f"; {len(held)} already held it" if held else "") + "."


def home_cards(user) -> list[dict]:
    cards = [{"title": "Points and degree", "text": "Your points, your progress toward the district degree, rewards.",
              "url": url_for("points.mine")},
             {"title": "Leaderboard", "text": "Celebrate growth across schools and PLCs.",
              "url": url_for("points.leaderboard")}]
    if access.can_manage(user):
        cards.append({"title": "Degree, rewards and awards", "text": "Tiers, rewards to fulfil, direct awards.",
                      "url": url_for("points.admin")})
    return cards
