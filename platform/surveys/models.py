"""Pilots (cohort, badges in scope, dates), surveys and their questions, linked survey sets, and
the answers people give; the closed sets of values their columns hold are StrEnums (stored as their values).

Anonymity lives in the shape of these tables: an anonymous survey's `SurveyResponse` holds no
user id and no time, only a pseudonym that is an HMAC of the person under the set's random key;
`SurveyParticipation` says *that* someone answered (for one response per person and response
rates) and has no column that leads to *what* they answered."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from milepost.core.model import Timestamped, in_list
from milepost.extensions import db


class MemberRole(StrEnum):
    """A pilot member's part: in the cohort, or reviewing the cohort's evidence. The two are separate
    rows, so one person (a coach earning badges in the cohort) may hold both."""

    TEACHER = "teacher"
    REVIEWER = "reviewer"


class SetKind(StrEnum):
    """A survey set: a pilot's pre/mid/post waves, or the months of a pulse."""

    WAVES = "waves"
    PULSE = "pulse"


class SurveyStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    TEMPLATE = "template"  # a monthly pulse's questions, copied into each month's survey


class Audience(StrEnum):
    PILOT = "pilot"        # a pilot's cohort
    ROLE = "role"          # everyone with a role
    SCHOOL = "school"      # everyone at a school
    EVERYONE = "everyone"


class Wave(StrEnum):
    """The waves of a pre/mid/post set (a pulse's surveys have their month, YYYY-MM, instead)."""

    PRE = "pre"
    MID = "mid"
    POST = "post"


class QuestionKind(StrEnum):
    SECTION = "section"    # a heading, not a question
    LIKERT = "likert"
    SINGLE = "single"
    MULTIPLE = "multiple"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    RUBRIC = "rubric"


class EvalLevel(StrEnum):
    """What a question tells about the professional learning, in the order results group them."""

    REACTION = "reaction"
    LEARNING = "learning"
    SUPPORT = "support"
    USE = "use"
    OUTCOMES = "outcomes"


# The values as tuples, for CHECK constraints and the code that iterates over them.
MEMBER_ROLES = tuple(MemberRole)
SET_KINDS = tuple(SetKind)
STATUSES = tuple(SurveyStatus)
AUDIENCES = tuple(Audience)
AUDIENCE_LABELS = {Audience.PILOT: "A pilot's cohort", Audience.ROLE: "Everyone with a role",
                   Audience.SCHOOL: "Everyone at a school", Audience.EVERYONE: "Everyone"}
PILOT_PART_LABELS = {"": "Everyone in the pilot", MemberRole.TEACHER: "The cohort's teachers only",
                     MemberRole.REVIEWER: "The reviewers only"}
WAVES = tuple(Wave)
WAVE_LABELS = {Wave.PRE: "Pre (before the pilot)", Wave.MID: "Mid-point", Wave.POST: "Post (at the end)"}
KINDS = tuple(QuestionKind)
KIND_LABELS = {
    QuestionKind.SECTION: "Section heading",
    QuestionKind.LIKERT: "Agreement scale (Likert)",
    QuestionKind.SINGLE: "Single choice",
    QuestionKind.MULTIPLE: "Multiple choice",
    QuestionKind.SHORT_TEXT: "Short text",
    QuestionKind.LONG_TEXT: "Long text",
    QuestionKind.NUMBER: "Number",
    QuestionKind.RUBRIC: "Rubric level (indicators rated by level)",
}
EVAL_LEVELS = tuple(EvalLevel)
EVAL_LEVEL_LABELS = {
    EvalLevel.REACTION: "Participants' reactions",
    EvalLevel.LEARNING: "Participants' learning",
    EvalLevel.SUPPORT: "Organisational support and change",
    EvalLevel.USE: "Use of new practice",
    EvalLevel.OUTCOMES: "Student learning outcomes",
}


pilot_badge = Table(
    "pilot_badge",
    db.metadata,
    Column("pilot_id", ForeignKey("pilot.id", ondelete="CASCADE"), primary_key=True),
    Column("badge_id", ForeignKey("badge.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Pilot(Timestamped, db.Model):
    """A time-boxed trial of some badges with a cohort of teachers and their reviewers."""

    __tablename__ = "pilot"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    goals: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    members: Mapped[list[PilotMember]] = relationship(back_populates="pilot", cascade="all, delete-orphan")
    badges: Mapped[list[Badge]] = relationship(secondary=pilot_badge, order_by="Badge.title")  # noqa: F821

    def __repr__(self) -> str:
        return f"<Pilot {self.name}>"


class PilotMember(db.Model):
    """One part a person plays in a pilot; a person in the cohort who also reviews has two rows."""

    __tablename__ = "pilot_member"
    __table_args__ = (CheckConstraint(f"role IN ({in_list(MEMBER_ROLES)})", name="known_role"),)

    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilot.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(10), primary_key=True, default=MemberRole.TEACHER)

    pilot: Mapped[Pilot] = relationship(back_populates="members")
    user: Mapped[User] = relationship()  # noqa: F821


class SurveySet(Timestamped, db.Model):
    """Surveys compared over time: a pilot's pre/mid/post waves, or the months of a pulse.

    `pseudonym_key` is the random key of the respondents' pseudonyms; sealing a finished set
    erases it, after which nobody can recompute who is behind a pseudonym.

    `anonymous` holds for the whole set: every survey in it is anonymous, or every one is identified
    (`building.check_set_anonymity`). Only an anonymous set shares pseudonyms (and so respondent codes)
    across its surveys; an identified set's surveys each keep their own."""

    __tablename__ = "survey_set"
    __table_args__ = (CheckConstraint(f"kind IN ({in_list(SET_KINDS)})", name="known_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(10), default=SetKind.WAVES)
    pilot_id: Mapped[int | None] = mapped_column(ForeignKey("pilot.id", ondelete="SET NULL"), index=True)
    pseudonym_key: Mapped[str | None] = mapped_column(String(64))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    pulse_days_open: Mapped[int] = mapped_column(default=14)

    pilot: Mapped[Pilot | None] = relationship()
    surveys: Mapped[list[Survey]] = relationship(back_populates="survey_set", order_by="(Survey.opens_at, Survey.id)")


class Survey(Timestamped, db.Model):
    __tablename__ = "survey"
    __table_args__ = (
        CheckConstraint(f"status IN ({in_list(STATUSES)})", name="known_status"),
        CheckConstraint(f"audience IN ({in_list(AUDIENCES)})", name="known_audience"),
        CheckConstraint("closes_at > opens_at", name="window_in_order"),
        Index("ix_survey_status_window", "status", "opens_at", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=SurveyStatus.DRAFT)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    audience: Mapped[str] = mapped_column(String(10), default=Audience.EVERYONE)
    audience_role: Mapped[str | None] = mapped_column(String(20))
    audience_school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="SET NULL"))
    pilot_id: Mapped[int | None] = mapped_column(ForeignKey("pilot.id", ondelete="SET NULL"), index=True)
    # A pilot survey's part of the pilot: "" every member, or one MemberRole (the cohort's teacher surveys).
    audience_pilot_role: Mapped[str] = mapped_column(String(10), default="", server_default="")
    set_id: Mapped[int | None] = mapped_column(ForeignKey("survey_set.id", ondelete="SET NULL"), index=True)
    wave: Mapped[str] = mapped_column(String(20), default="")  # pre | mid | post | YYYY-MM for a pulse
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    # The pseudonym key of a survey that is not in a set (a set's key is shared by its surveys).
    own_key: Mapped[str | None] = mapped_column(String(64))
    template_key: Mapped[str] = mapped_column(String(40), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None]

    questions: Mapped[list[Question]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="(Question.position, Question.id)")
    survey_set: Mapped[SurveySet | None] = relationship(back_populates="surveys")
    pilot: Mapped[Pilot | None] = relationship()
    audience_school: Mapped[School | None] = relationship()  # noqa: F821

    def is_open(self, now: datetime) -> bool:
        return self.status == SurveyStatus.PUBLISHED and self.opens_at <= now < self.closes_at

    @property
    def asked(self) -> list[Question]:
        """The questions, without section headings."""
        return [q for q in self.questions if q.kind != QuestionKind.SECTION]

    def __repr__(self) -> str:
        return f"<Survey {self.id} {self.title!r}>"


class Question(db.Model):
    """One question (or a section heading) of a survey.

    `options` holds the Likert labels (5 or 7, most negative first), the choices, or the rubric
    levels; `indicators` holds a rubric question's rows as {"text", "descriptions"}; `key` is what
    matches "the same question" across the surveys of a set."""

    __tablename__ = "survey_question"
    __table_args__ = (
        CheckConstraint(f"kind IN ({in_list(KINDS)})", name="known_kind"),
        CheckConstraint(f"eval_level = '' OR eval_level IN ({in_list(EVAL_LEVELS)})", name="known_eval_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(12))
    prompt: Mapped[str] = mapped_column(String(500))
    help: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    eval_level: Mapped[str] = mapped_column(String(10), default="")
    key: Mapped[str] = mapped_column(String(80), default="")
    options: Mapped[list] = mapped_column(JSON, default=list)
    indicators: Mapped[list] = mapped_column(JSON, default=list)
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    # A retrospective pair: the same scale answered for "before the pilot" and "now".
    retrospective: Mapped[bool] = mapped_column(Boolean, default=False)
    # Skip logic: asked only when the earlier question with this key got this answer (as stored: a
    # single choice's 0-based index, a Likert point from 1). Empty key: always asked.
    show_if_key: Mapped[str] = mapped_column(String(80), default="", server_default="")
    show_if_value: Mapped[int | None]

    survey: Mapped[Survey] = relationship(back_populates="questions")

    def condition(self) -> tuple[Question, str] | None:
        """The earlier question this one depends on and the label of the answer that shows it."""
        if not self.show_if_key:
            return None
        for q in self.survey.questions:
            if q is self:
                break
            if q.key == self.show_if_key and q.kind in (QuestionKind.SINGLE, QuestionKind.LIKERT):
                index = (self.show_if_value or 0) - (1 if q.kind == QuestionKind.LIKERT else 0)
                if 0 <= index < len(q.options):
                    return q, q.options[index]
        return None

    def shown_for(self, answers: dict[int, object]) -> bool:
        """Whether this question is asked, given the answers so far (by question id)."""
        found = self.condition()
        if found is None:
            return True
        source, _label = found
        return answers.get(source.id) == self.show_if_value

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


class SurveyParticipation(db.Model):
    """That a person has a response to a survey (saved or submitted). Never points at the response."""

    __tablename__ = "survey_participation"
    # Answers counted per survey from the index alone (reports' response rates, the pilot dashboard).
    __table_args__ = (Index("ix_survey_participation_submitted", "survey_id", "submitted", "user_id"),)

    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    invited_at: Mapped[datetime | None]


class SurveyResponse(db.Model):
    """One person's answers to one survey. Anonymous: user_id is NULL and there is no timestamp.

    The id is random rather than a sequence, so the order rows were added says nothing."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("survey_id", "pseudonym"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(64))
    # Kept for the school and role filters of the results (groups under the minimum are hidden).
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="SET NULL"))
    roles: Mapped[str] = mapped_column(String(120), default="")
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)

    answers: Mapped[list[SurveyAnswer]] = relationship(back_populates="response", cascade="all, delete-orphan")
    user: Mapped[User | None] = relationship()  # noqa: F821


class SurveyAnswer(db.Model):
    """The answer to one question, as JSON: a scale point, choice index(es), text, number,
    a list of rubric levels (one per indicator) or {"before": n, "now": n}."""

    __tablename__ = "survey_answer"

    response_id: Mapped[str] = mapped_column(ForeignKey("survey_response.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)
    value: Mapped[object] = mapped_column(JSON)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
