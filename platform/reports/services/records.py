"""One teacher's record for HR and licensure questions, read through the same points and awards functions the
teacher's own pages call, and finding whose record to open."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from milepost.accounts.models import User
from milepost.awards import services as awards
from milepost.evidence.models import Submission
from milepost.points import services as points
from milepost.points.models import RewardClaim


@dataclass
class TeacherRecord:
    person: User
    progress: points.Progress
    balance: int
    history: list
    awards: list
    submissions: list
    claims: list

    @property
    def credit_hours(self) -> float:
        return self.progress.standing.credit_hours


def person_by_id(session, user_id: int) -> User | None:
    """Whose record or statement it is, with their school."""
    return session.scalar(select(User).where(User.id == user_id).options(selectinload(User.school)))


def teacher_record(session, user_id: int) -> TeacherRecord | None:
    """What /points and /my/badges show the teacher, through the same functions: points.balance,
    points.degree_progress (credit hours and tiers), points.history and awards.awards_of."""
    person = person_by_id(session, user_id)
    if person is None:
        return None
    progress = points.degree_progress(session, person.id)
    submissions = session.scalars(select(Submission).where(Submission.user_id == person.id)
                                  .options(selectinload(Submission.badge))
                                  .order_by(Submission.updated_at.desc())).all()
    claims = session.scalars(select(RewardClaim).where(RewardClaim.user_id == person.id)
                             .options(selectinload(RewardClaim.reward)).order_by(RewardClaim.claimed_at)).all()
    return TeacherRecord(person=person, progress=progress, balance=points.balance(session, person.id),
                         history=points.history(session, person.id), awards=awards.awards_of(session, person),
                         submissions=submissions, claims=claims)


def find_people(session, text: str, *, limit: int = 50) -> list[User]:
    """People whose name or email contains the text (for choosing whose record to open)."""
    words = (text or "").strip().lower()
    if not words:
        return []
    return session.scalars(select(User).where(or_(func.lower(User.display_name).contains(words, autoescape=True),
                                                  User.email.contains(words, autoescape=True)))
                           .options(selectinload(User.school)).order_by(User.display_name, User.id).limit(limit)).all()
