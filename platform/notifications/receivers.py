"""What notifications sends when other features' things happen: evidence received and decided, awards,
degree tiers and fulfilled rewards (connected in milepost.notifications.init_app). Reviews, surveys and
sign-in call the helpers in services.py themselves (notify_review_waiting, notify_review_reminder,
notify_reviews_stuck, notify_survey, notify)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import false, or_, select

from milepost.accounts.models import PLC, PLCMembership, User, UserRole
from milepost.core.access import Role
from milepost.notifications import delivery
from milepost.notifications.services import notify, notify_many


def _submission_path(submission) -> str:
    return delivery.path_for("evidence.submission", submission_id=submission.id)


def submission_changed(submission, *, session, action: str, by) -> None:
    """evidence's submission_changed: "we received your evidence", and the decision with its feedback."""
    badge = submission.badge.title
    if action in ("submit", "resubmit"):
        again = " again" if action == "resubmit" else ""
        notify(session, submission.user_id, "submission_received", subject=f"We received your evidence for “{badge}”",
               context={"message": f"Your evidence for “{badge}” is submitted{again} and waiting for review. "
                                   "We will tell you when a reviewer decides.", "badge": badge},
               url=_submission_path(submission))
    elif action in ("return", "award"):
        decided = max((a for a in submission.attempts if a.outcome in ("returned", "awarded")),
                      key=lambda a: a.number, default=None)
        feedback = decided.feedback if decided is not None else ""
        if action == "award":
            subject, message = (f"“{badge}”: your evidence meets the standard",
                                f"A reviewer decided that your evidence for “{badge}” meets the standard.")
        else:
            subject, message = (f"“{badge}”: not yet, with feedback",
                                f"A reviewer returned your evidence for “{badge}” with “not yet” and feedback. "
                                "Read it, revise and resubmit when you are ready.")
        notify(session, submission.user_id, "decision", subject=subject,
               context={"message": message, "feedback": feedback or "", "outcome": "meets" if action == "award"
                        else "not_yet", "badge": badge},
               url=_submission_path(submission))


def share_path(award) -> str:
    """The award's public page when the credentials feature serves one, else the earner's points page."""
    return delivery.path_if_exists("credentials.award_page", public_id=award.public_id,
                                   fallback=delivery.path_for("points.mine"))


def award_issued(award, *, session) -> None:
    """awards' award_issued: "you earned it", with the link to share."""
    badge = award.badge.title if award.badge is not None else "a badge"
    notify(session, award.user_id, "award_issued", subject=f"You earned “{badge}”",
           context={"message": f"Congratulations: the “{badge}” badge is yours. Share its page with colleagues, "
                               "or add it to your professional profile.", "badge": badge,
                    "action": "See and share your badge"},
           url=share_path(award))


def tier_reached(reached, *, session) -> None:
    """points' tier_reached: congratulations, and (if the district wants it) a word to their coaches."""
    theme = current_app.extensions["milepost_theme"]
    tier = reached.tier.name
    notify(session, reached.user_id, "tier_reached", subject=f"You reached {tier}",
           context={"message": f"Congratulations: your badges have taken you to {tier} in {theme.display_name}. "
                               "Your certificate is ready on your points page.", "tier": tier,
                    "action": "See your certificate"},
           url=delivery.path_for("points.mine"))
    if current_app.config.get("NOTIFY_COACH_ON_TIER"):
        person = session.get(User, reached.user_id)
        notify_many(session, coaches_of(session, person), "tier_reached",
                    subject=f"{person.display_name} reached {tier}",
                    context={"message": f"{person.display_name}, a teacher you coach, reached {tier} in "
                                        f"{theme.display_name}. A word of congratulations goes a long way.",
                             "tier": tier})


def coaches_of(session, person) -> list[User]:
    """A teacher's coaches: active coaches at their school and the coaches who facilitate their PLCs."""
    if person is None:
        return []
    facilitators = (select(PLC.facilitator_id).join(PLCMembership, PLCMembership.plc_id == PLC.id)
                    .where(PLCMembership.user_id == person.id))
    same_school = User.school_id == person.school_id if person.school_id is not None else false()
    query = (select(User).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.role == Role.COACH, User.active.is_(True), User.id != person.id,
                    or_(same_school, User.id.in_(facilitators)))
             .order_by(User.id))
    return list(session.scalars(query).unique())


def reward_fulfilled(claim, *, session) -> None:
    """points' reward_fulfilled: the reward is on its way."""
    name = claim.reward.name
    note = (claim.note or "").strip()
    notify(session, claim.user_id, "reward_fulfilled", subject=f"Your reward is on its way: {name}",
           context={"message": f"The PD office has fulfilled your reward “{name}”.", "reward": name,
                    "feedback": note},
           url=delivery.path_for("points.mine"))
