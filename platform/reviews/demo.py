"""The demo district's school year so far, for `milepost seed-demo`: teachers start badges, send evidence,
PLC colleagues give glow-and-grow feedback, coaches and the PD office decide "meets" or "not yet", teachers
revise, badges are awarded, degree tiers reached and rewards claimed and fulfilled.

Everything goes through the same domain services as the pages (evidence.services, reviews.services,
points.services), so the ledger, the standings, the holder counts, notifications, the audit log and the
credentials stay consistent. To place each action on its day, the services run under a demo clock: while
an action runs, `milepost.core.model.utcnow` (which every service and column default reads) answers the
action's moment. Actions run in time order, so period totals (this month, this school year) move as they
would have on those days. A fixed random seed picks the times of day, texts and levels, so a given day
always builds the same district; the step looks before it adds, so running it again adds nothing."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import partial

from sqlalchemy import select

from milepost.core.errors import DomainError
from milepost.evidence.models import ItemKind, SubmissionState
from milepost.reviews.models import Decision, StageKind

SEED = 2026
MIN_SPAN_DAYS = 100     # early in a school year the history reaches back into the summer, so it still shows months
SETTLE_DAYS = 21        # journeys placed by share of the year start at least this long before today
LAST_ACTION = timedelta(minutes=20)  # nothing is placed later than this before now

# --------------------------------------------------------------------------- the clock


def clock(moment: datetime):
    """Run the services as if it were `moment` (UTC): utcnow() and every column default read it."""
    from milepost.core.model import clock_at

    return clock_at(moment)


def window(now: datetime) -> tuple[datetime, datetime]:
    """The period the history covers: the school year so far (from 1 August), or the last MIN_SPAN_DAYS days
    when the school year is younger than that."""
    from milepost.points.standings import year_start

    start = datetime.combine(year_start(now), time(0), tzinfo=UTC)
    return min(start, now - timedelta(days=MIN_SPAN_DAYS)), now


# --------------------------------------------------------------------------- the plan

AT = "riverbend.example"


@dataclass(frozen=True)
class Journey:
    """One teacher working on one badge. `when` places the start: ("share", f) at that share of the school
    year so far, ("ago", d) d days before now. Each step waits `gap` days after the one before:
    ("submit", gap), ("peer", gap, reviewer), ("coach", gap, reviewer, "meets" | "not_yet"),
    ("district", gap, reviewer, decision), ("revise", gap), ("withdraw", gap). `draft` leaves some
    requirements unanswered (work in progress)."""

    who: str
    slug: str
    when: tuple
    steps: tuple = ()
    draft: bool = False


S, A = "share", "ago"
GRACE, TOMAS, DANA = "grace.okafor", "tomas.rivera", "dana.whitfield"

JOURNEYS = [
    # Alicia Chen (the demo teacher): four badges over the term, one of them after a "not yet"; a piece of
    # work back with "not yet" to revise now, one waiting for peer feedback, one draft in progress.
    # (The reports browser journey reads her four awards, and Carmen and Devon earning none.)
    Journey("alicia.chen", "clear-learning-targets", (S, 0.04),
            (("submit", 4), ("peer", 2, "ben.adeyemi"), ("coach", 3, GRACE, "meets"))),
    Journey("alicia.chen", "student-goal-setting", (S, 0.3),
            (("submit", 5), ("peer", 1.5, "carmen.diaz"), ("coach", 4, GRACE, "meets"))),
    Journey("alicia.chen", "knowing-your-learners", (S, 0.6),
            (("submit", 6), ("peer", 3, "keiko.tanaka"), ("coach", 2, GRACE, "not_yet"), ("revise", 6),
             ("coach", 2, GRACE, "meets"))),
    Journey("alicia.chen", "two-way-family-communication", (A, 29),
            (("submit", 4), ("peer", 1, "ben.adeyemi"), ("coach", 5, GRACE, "meets"))),
    Journey("alicia.chen", "self-assessment-and-reflection", (A, 25),
            (("submit", 6), ("peer", 2, "carmen.diaz"), ("coach", 4, GRACE, "not_yet"))),
    Journey("alicia.chen", "formative-checks-that-shape-teaching", (A, 9), (("submit", 7),)),
    Journey("alicia.chen", "purposeful-technology-choices", (A, 2), draft=True),

    # Grace Okafor (coach and teacher): her own badges, decided by the other coach.
    Journey("grace.okafor", "clear-learning-targets", (S, 0.01),
            (("submit", 3), ("peer", 2, "alicia.chen"), ("coach", 2, TOMAS, "meets"))),
    Journey("grace.okafor", "student-goal-setting", (S, 0.16),
            (("submit", 4), ("peer", 1, "ben.adeyemi"), ("coach", 3, TOMAS, "meets"))),
    Journey("grace.okafor", "formative-checks-that-shape-teaching", (S, 0.55),
            (("submit", 5), ("peer", 2, "carmen.diaz"), ("coach", 6, TOMAS, "meets"))),

    # Riverbend Elementary.
    Journey("ben.adeyemi", "clear-learning-targets", (S, 0.1),
            (("submit", 5), ("peer", 2, "carmen.diaz"), ("coach", 4, GRACE, "meets"))),
    Journey("ben.adeyemi", "student-data-privacy-essentials", (S, 0.26),
            (("submit", 3), ("peer", 2, "isaac.moreno"), ("coach", 5, GRACE, "not_yet"), ("revise", 8),
             ("coach", 3, GRACE, "meets"))),
    Journey("carmen.diaz", "student-data-privacy-essentials", (S, 0.46),
            (("submit", 4), ("peer", 3, "keiko.tanaka"), ("coach", 3, GRACE, "not_yet"))),
    Journey("devon.price", "clear-learning-targets", (S, 0.6), draft=True),
    Journey("keiko.tanaka", "clear-learning-targets", (S, 0.66),
            (("submit", 4), ("peer", 1, "alicia.chen"), ("coach", 7, GRACE, "meets"))),
    Journey("jordan.blake", "student-goal-setting", (S, 0.2), (("submit", 3), ("withdraw", 2))),
    Journey("jordan.blake", "two-way-family-communication", (S, 0.7),
            (("submit", 3), ("peer", 4, "carmen.diaz"), ("coach", 2, GRACE, "meets"))),

    # Cedar Ridge Middle.
    Journey("elena.petrova", "student-goal-setting", (S, 0.0),
            (("submit", 3), ("peer", 1, "farid.haddad"), ("coach", 2, TOMAS, "meets"))),
    Journey("elena.petrova", "clear-learning-targets", (S, 0.07),
            (("submit", 3), ("peer", 2, "farid.haddad"), ("coach", 3, TOMAS, "meets"))),
    Journey("elena.petrova", "knowing-your-learners", (S, 0.18),
            (("submit", 2), ("peer", 1, "farid.haddad"), ("coach", 2, TOMAS, "meets"))),
    Journey("elena.petrova", "self-assessment-and-reflection", (S, 0.3),
            (("submit", 6), ("peer", 2, "farid.haddad"), ("coach", 3, GRACE, "not_yet"), ("revise", 5),
             ("coach", 2, GRACE, "meets"))),
    Journey("elena.petrova", "purposeful-technology-choices", (S, 0.58),
            (("submit", 2), ("peer", 1, "farid.haddad"), ("coach", 1, TOMAS, "meets"))),
    Journey("elena.petrova", "pre-assessment-starting-points", (S, 0.76),
            (("submit", 3), ("peer", 3, "farid.haddad"), ("coach", 4, TOMAS, "meets"))),
    Journey("elena.petrova", "career-connected-conversations", (A, 21),
            (("submit", 4), ("peer", 2, "farid.haddad"), ("coach", 3, TOMAS, "meets"))),
    Journey("farid.haddad", "two-way-family-communication", (S, 0.12),
            (("submit", 4), ("peer", 2, "elena.petrova"), ("coach", 5, TOMAS, "meets"))),
    Journey("farid.haddad", "book-study-culturally-responsive-teaching", (S, 0.72),
            (("submit", 2), ("district", 6, DANA, "meets"))),
    Journey("farid.haddad", "sharing-progress-with-families", (A, 30),
            (("submit", 5), ("peer", 3, "elena.petrova"), ("coach", 4, TOMAS, "not_yet"), ("revise", 7),
             ("coach", 3, TOMAS, "meets"))),
    Journey("hannah.lindqvist", "purposeful-technology-choices", (S, 0.45),
            (("submit", 3), ("peer", 2, "isaac.moreno"), ("coach", 3, TOMAS, "meets"))),
    Journey("hannah.lindqvist", "accessible-digital-learning", (A, 26),
            (("submit", 4), ("peer", 6, "maya.singh"), ("coach", 2, TOMAS, "meets"))),
    Journey("isaac.moreno", "student-data-privacy-essentials", (S, 0.35),
            (("submit", 2), ("peer", 1, "ben.adeyemi"), ("coach", 6, TOMAS, "not_yet"), ("revise", 4),
             ("coach", 2, TOMAS, "meets"))),
    Journey("isaac.moreno", "pre-assessment-starting-points", (S, 0.75),
            (("submit", 3), ("peer", 2, "hannah.lindqvist"), ("coach", 9, GRACE, "meets"))),
    Journey("maya.singh", "knowing-your-learners", (S, 0.68),
            (("submit", 3), ("peer", 1, "hannah.lindqvist"), ("coach", 3, TOMAS, "meets"))),
    Journey("luis.navarro", "clear-learning-targets", (S, 0.55), (("submit", 2), ("coach", 3, TOMAS, "meets"))),
    Journey("tomas.rivera", "student-goal-setting", (S, 0.5),
            (("submit", 3), ("peer", 2, "elena.petrova"), ("coach", 4, GRACE, "meets"))),
    Journey("tomas.rivera", "career-connected-conversations", (A, 15),
            (("submit", 3), ("peer", 1, "farid.haddad"), ("coach", 2, GRACE, "meets"))),

    # Waiting now. At the coach stage (Grace's queue; the oldest is past the stuck threshold, one more past the
    # reminder target), at the district stage (the PD office's), and Alicia's work above at the peer stage.
    Journey("keiko.tanaka", "knowing-your-learners", (A, 17), (("submit", 1), ("peer", 2, "alicia.chen"))),
    Journey("carmen.diaz", "two-way-family-communication", (A, 8), (("submit", 1), ("peer", 1, "ben.adeyemi"))),
    Journey("maya.singh", "purposeful-technology-choices", (A, 6), (("submit", 1), ("peer", 0.6, "isaac.moreno"))),
    Journey("ben.adeyemi", "student-goal-setting", (A, 5), (("submit", 1), ("peer", 1, "keiko.tanaka"))),
    Journey("jordan.blake", "pre-assessment-starting-points", (A, 4), (("submit", 1), ("peer", 1, "devon.price"))),
    Journey("luis.navarro", "student-data-privacy-essentials", (A, 2), (("submit", 1),)),
    Journey("hannah.lindqvist", "conference-session-assessment", (A, 7), (("submit", 1.5),)),
]

# (who, reward, when, days until the PD office fulfils it or None while it waits)
CLAIMS = [
    ("grace.okafor", "A thank-you note from the superintendent", (S, 0.8), 4),
    ("elena.petrova", "A thank-you note from the superintendent", (S, 0.5), 9),
    ("elena.petrova", "Classroom supplies voucher", (A, 6), None),
    ("alicia.chen", "A thank-you note from the superintendent", (A, 3), None),
]
SHOWN_ON_LEADERBOARD = ["alicia.chen", "elena.petrova", "grace.okafor", "hannah.lindqvist"]
LAST_VISIT_DAYS = (4, 8)  # everyone last read their notifications this many days ago: newer ones are unread

# --------------------------------------------------------------------------- words

LINK_HOSTS = {ItemKind.FILE: "https://files.riverbend.example/evidence", ItemKind.LINK: "https://sites.riverbend.example"}
VIDEO_WORDS = ("action", "rehearsal", "routines", "showcase")

ANSWERS = [
    "I tried this with my {group} over two weeks. The first lesson felt clunky, so I cut the steps down to three "
    "and put them on an anchor chart. By the second week most students could explain the routine to a partner "
    "without looking at the chart, and the quieter students were the first to remind the others.",
    "I planned this around the unit we were already teaching rather than adding something new. I introduced it "
    "on a Monday, came back to it at the midpoint of each lesson and used the last five minutes for students to "
    "check their own work. I kept short notes on a clipboard so I could see who needed a conference.",
    "Before starting I asked my PLC to look at my plan. They suggested I model it with a weak example first, "
    "which made a real difference: students spotted what was missing and used the same words later when they "
    "talked about their own work. I have attached the revised version in the files above.",
    "I collected exit tickets on three days and sorted them into 'got it', 'nearly' and 'not yet'. About two "
    "thirds were secure by the third day. The group that struggled had mostly been absent for the first lesson, "
    "so I met them at the small table the next morning.",
]
REFLECTIONS = [
    "The biggest change was in who did the talking. Students used the language of the criteria with each other, "
    "and I spent less time repeating instructions. Next time I will start earlier in the unit and give students "
    "a model that is good but not perfect, so they have something to improve.",
    "What surprised me was how quickly students took this over once they trusted that it mattered. I will keep "
    "the weekly check-in and drop the long written log, which took time without telling me much. My PLC "
    "pointed out that I can reuse the same structure in science.",
    "It took longer than I expected, mostly in the first week. It was worth it: the students who usually wait "
    "for help started checking their own work first. I would rewrite one of the criteria, which was too vague "
    "for my younger students, and I want to try it with families at conferences.",
]
REVISIONS = [
    "\n\nAdded after feedback: I went back to three students who had found this hard and recorded what they "
    "said, and I have added their (anonymized) comments and what I changed for them.",
    "\n\nRevised: I added a second round of student work from the following week, so you can see the change "
    "over time, and explained how I used it to regroup the class.",
]
GLOWS = [
    "The part on {c} is easy to follow; I could picture the lesson from what you shared.",
    "On {c}, your examples make the students' thinking visible. I am going to borrow this idea.",
    "Strong on {c}, especially in the student responses you quoted.",
    "I liked how you tied {c} back to what your students actually said and did.",
]
GROWS = [
    "For {c}, one example from a student who found it hard would round out the picture.",
    "Could you say a little more about how {c} changed from the first lesson to the last?",
    "On {c}, a short note on what you would do differently next time would help the coach.",
    "A quick before-and-after for {c} would make the progress easier to see.",
]
MEETS = [
    "This meets the standard. Your evidence shows the practice working with real students, and the reflection "
    "is honest about what still needs work. Well done.",
    "Meets. The student work makes the case on its own, and you clearly acted on your PLC's feedback. I would "
    "love you to share this at the next staff meeting.",
    "Congratulations: this meets every criterion. The strongest part is how you used what students told you to "
    "change the next lesson.",
    "Meets the standard. A clear plan, good evidence from students and a thoughtful reflection. Consider the "
    "next badge in this strand; you are ready for it.",
]
NOT_YET = [
    "Not yet, but close. {C} is where the evidence falls short: I can see what you planned, not yet what "
    "students did with it. Add two or three anonymized samples of student work and say what they show.",
    "Not yet. The plan is strong; the gap is {c}. Tell me how you checked that it worked for every group of "
    "students, including those who struggled, and what you changed as a result.",
    "Not yet. Your reflection describes the lessons well but does not yet draw conclusions for {c}. What did "
    "you learn, and what will you do differently? A short paragraph is enough.",
]
OUTSIDE = [
    "Thank you: the record of participation is complete and your plan for the classroom is specific. Approved "
    "for the credit hours.",
]
# Alicia's piece of work that came back: its own words, so the revise flow reads as one story.
ALICIA_NOT_YET = {
    "weakest": "calibration",
    "peer": ("Your self-assessment checklist is short and written in words my own students would understand.",
             "It would help to see one place where a student rated themselves differently from you, and what "
             "you said to them."),
    "coach": "Not yet, but you are close. The self-assessment tool is excellent and your students clearly used it. "
             "What is missing is the calibration: I cannot yet see where students' judgments and yours differed "
             "or what you did about it. Add two or three anonymized examples where you compared ratings, and a "
             "few sentences on how those conversations changed your next lessons. Then send it back to me.",
}

# --------------------------------------------------------------------------- running it


@dataclass
class _Run:
    session: object
    people: dict
    badges: dict
    now: datetime
    start: datetime
    actions: list = field(default_factory=list)
    order: int = 0

    def at(self, moment: datetime, fn) -> None:
        self.order += 1
        self.actions.append((moment, self.order, fn))

    def place(self, when: tuple, rng: random.Random) -> datetime:
        kind, value = when
        if kind == S:
            usable = max(timedelta(0), (self.now - self.start) - timedelta(days=SETTLE_DAYS))
            day = self.start + usable * value
        else:
            day = self.now - timedelta(days=value)
        # Mostly after school, some in the evening (UTC, the district's afternoon and evening).
        moment = day.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
            hours=rng.choice([19, 20, 21, 22, 23, 24, 25]), minutes=rng.randrange(60))
        return min(moment, self.now - LAST_ACTION - timedelta(hours=rng.uniform(1, 3)))


def seed_history(session, people: dict) -> None:
    from milepost.badges.models import Badge
    from milepost.core.model import utcnow
    from milepost.evidence.models import Submission

    cast = {email.split("@")[0]: user for email, user in people.items() if email.endswith("@" + AT)}
    if any(k not in cast for k in ("alicia.chen", GRACE, TOMAS, DANA)):
        return
    ids = [u.id for u in cast.values()]
    if session.scalar(select(Submission.id).where(Submission.user_id.in_(ids)).limit(1)) is not None:
        return  # the history is there already
    now = utcnow()
    start, _ = window(now)
    run = _Run(session, cast, {b.slug: b for b in session.scalars(select(Badge))}, now, start)
    for journey in JOURNEYS:
        if journey.who in cast and journey.slug in run.badges:
            _plan_journey(run, journey)
    for who, reward, when, fulfil_after in CLAIMS:
        if who in cast:
            _plan_claim(run, who, reward, when, fulfil_after)
    for who in sorted(cast):
        rng = random.Random(f"{SEED}:{who}:visit")
        run.at(run.place((A, rng.randint(*LAST_VISIT_DAYS)), rng), partial(_read_notifications, run, who))
    for moment, _order, fn in sorted(run.actions, key=lambda a: (a[0], a[1])):
        with clock(moment):
            fn()
            session.flush()

    from milepost.points import services as points
    from milepost.reviews import services as reviews

    for who in SHOWN_ON_LEADERBOARD:
        if who in cast:
            points._account(session, cast[who].id).leaderboard_opt_in = True
    # What the daily `milepost send-reminders` found this morning: the reviews past their target and the stuck one.
    reviews.send_reminders(session)
    session.flush()


def _plan_journey(run: _Run, journey: Journey) -> None:
    rng = random.Random(f"{SEED}:{journey.who}:{journey.slug}")
    state: dict = {"rng": rng, "journey": journey, "run": run}
    moment = run.place(journey.when, rng)
    run.at(moment, partial(_start, state))
    for step in journey.steps:
        op, gap, *args = step
        moment = moment + timedelta(days=gap, minutes=rng.randrange(-90, 90) if gap >= 1 else 0)
        if moment > run.now - LAST_ACTION:
            return  # a short school year: the rest has not happened yet
        if op in (StageKind.PEER, StageKind.COACH, StageKind.DISTRICT):
            run.at(moment, partial(_review, state, op, *args, submit=False))
            moment = moment + timedelta(minutes=rng.randrange(20, 75))
            run.at(moment, partial(_review, state, op, *args, submit=True))
        else:
            run.at(moment, partial(_STEPS[op], state))


def _plan_claim(run: _Run, who: str, reward_name: str, when: tuple, fulfil_after) -> None:
    rng = random.Random(f"{SEED}:{who}:{reward_name}")
    moment = run.place(when, rng)
    state = {}
    run.at(moment, partial(_claim, run, who, reward_name, state))
    if fulfil_after is not None:
        later = moment + timedelta(days=fulfil_after, hours=rng.uniform(-3, 3))
        if later < run.now - LAST_ACTION:
            run.at(later, partial(_fulfil, run, state))


# --------------------------------------------------------------------------- the actions


def _person(run: _Run, who: str):
    return run.people[who]


def _start(state: dict) -> None:
    from milepost.evidence import services as evidence

    run, journey, rng = state["run"], state["journey"], state["rng"]
    teacher = _person(run, journey.who)
    try:
        submission = evidence.start_badge(run.session, teacher, run.badges[journey.slug])
    except DomainError:
        return  # e.g. a prerequisite changed in a district's own catalogue: leave this one out
    prompts = submission.prompts
    answered = range(len(prompts)) if not journey.draft else range(max(1, len(prompts) // 2))
    for index in answered:
        _answer(run, submission, index, prompts[index], teacher, rng)
    if not journey.draft:
        evidence.confirm_privacy(run.session, submission, by=teacher)
    state["submission"] = submission


def _answer(run: _Run, submission, index: int, prompt: dict, teacher, rng: random.Random) -> None:
    from milepost.evidence import services as evidence

    kind, title = prompt["kind"], prompt["title"]
    name = teacher.email.split("@")[0].split(".")[0]
    words = "-".join("".join(ch for ch in w.lower() if ch.isalnum()) for w in title.split()[:4])
    if kind == ItemKind.TEXT:
        pool = REFLECTIONS if any(w in title.lower() for w in ("reflection", "evaluation", "impact")) else ANSWERS
        group = "class" if teacher.school_id is None else rng.choice(["class", "students", "homeroom", "small groups"])
        evidence.save_text(run.session, submission, index, rng.choice(pool).format(group=group), by=teacher)
    elif kind == ItemKind.LINK or any(w in title.lower() for w in VIDEO_WORDS):
        url = f"{LINK_HOSTS[ItemKind.LINK]}/{name}/{submission.badge.slug}/{words}"
        evidence.save_link(run.session, submission, index, url, by=teacher)
    else:
        url = f"{LINK_HOSTS[ItemKind.FILE]}/{name}/{submission.badge.slug}/{words}.pdf"
        evidence.save_link(run.session, submission, index, url, by=teacher)


def _submit(state: dict) -> None:
    from milepost.evidence import services as evidence

    submission = state.get("submission")
    if submission is None or submission.state != SubmissionState.DRAFT:
        return
    evidence.transition(state["run"].session, submission, "submit", by=submission.user)


def _revise(state: dict) -> None:
    from milepost.evidence import services as evidence

    run, rng, submission = state["run"], state["rng"], state.get("submission")
    if submission is None or submission.state != SubmissionState.RETURNED:
        return
    teacher = submission.user
    attempt = submission.current_attempt
    texts = [i for i in attempt.items if i.kind == ItemKind.TEXT]
    if texts:
        item = texts[-1]
        evidence.save_text(run.session, submission, item.prompt_index, item.text + rng.choice(REVISIONS), by=teacher)
    evidence.confirm_privacy(run.session, submission, by=teacher)
    evidence.transition(run.session, submission, "resubmit", by=teacher,
                        note="Revised after the feedback: more student evidence and a clearer reflection.")


def _withdraw(state: dict) -> None:
    from milepost.evidence import services as evidence

    submission = state.get("submission")
    if submission is None or submission.state not in (SubmissionState.SUBMITTED, SubmissionState.IN_REVIEW,
                                                      SubmissionState.DRAFT, SubmissionState.RETURNED):
        return
    evidence.transition(state["run"].session, submission, "withdraw", by=submission.user,
                        note="Taking it back to film a better clip of the routine.")


_STEPS = {"submit": _submit, "revise": _revise, "withdraw": _withdraw}


def _reviewer(run: _Run, submission, planned: str):
    """The planned reviewer when they may take the stage now (a district's own settings may say otherwise),
    else the first person who may, else nobody (the work then waits)."""
    from milepost.reviews import access
    from milepost.reviews import services as reviews

    person = run.people.get(planned)
    if person is not None and access.can_review_now(person, submission, session=run.session):
        return person
    others = reviews.eligible_reviewers(run.session, submission, limit=1)
    return others[0] if others else None


def _review(state: dict, kind: str, planned: str, decision: str = Decision.PASS, *, submit: bool) -> None:
    from milepost.reviews import services as reviews

    run, rng, submission = state["run"], state["rng"], state.get("submission")
    if submission is None or submission.state not in reviews.OPEN:
        return
    track = reviews.track_of(run.session, submission)
    stage = track.chain.stage_at(submission.stage)
    if stage is None or stage.kind != kind:
        return  # the chain looks different from the plan (a district's own chain): leave it waiting
    reviewer = state.get(("reviewer", kind, submission.attempt_number))
    if reviewer is None:
        reviewer = _reviewer(run, submission, planned)
        if reviewer is None:
            return
        state[("reviewer", kind, submission.attempt_number)] = reviewer
    data = _review_input(submission, kind, decision, rng, state["journey"])
    reviews.save_review(run.session, submission, data, by=reviewer, submit=submit)


def _review_input(submission, kind: str, decision: str, rng: random.Random, journey: Journey):
    from milepost.reviews import services as reviews

    data = reviews.rubric(submission)
    criteria, levels = data["criteria"], data["levels"]
    meets = levels.index(data["meets_level"]) if data["meets_level"] in levels else max(0, len(levels) - 2)
    story = ALICIA_NOT_YET if (journey.who, journey.slug) == ("alicia.chen", "self-assessment-and-reflection") else None
    scores = {}
    if kind == StageKind.PEER:
        for i, criterion in enumerate(criteria):
            c = criterion["name"].lower()
            glow, grow = rng.choice(GLOWS).format(c=c), rng.choice(GROWS).format(c=c)
            if story and i == 0:
                glow, grow = story["peer"]
            scores[i] = {"glow": glow, "grow": grow if rng.random() < 0.8 or story else ""}
        feedback = "" if criteria else "Thanks for sharing this; it gave me ideas for my own class."
        return reviews.ReviewInput(decision=Decision.PASS, feedback=feedback, scores=scores)
    weakest = rng.randrange(len(criteria)) if criteria else None
    if story and criteria:
        weakest = next((i for i, c in enumerate(criteria) if story["weakest"] in c["name"].lower()), weakest)
    for i, _criterion in enumerate(criteria):
        if decision == Decision.MEETS:
            level = meets + (1 if meets + 1 < len(levels) and rng.random() < 0.3 else 0)
        else:
            level = max(0, meets - 1) if i == weakest else meets - (1 if rng.random() < 0.3 and not story else 0)
        scores[i] = {"level": level}
    if decision == Decision.MEETS:
        feedback = rng.choice(MEETS if criteria else OUTSIDE)
    elif story:
        feedback = story["coach"]
    else:
        c = criteria[weakest]["name"].lower() if criteria else "the evidence"
        feedback = rng.choice(NOT_YET).format(c=c, C=c[:1].upper() + c[1:])
    return reviews.ReviewInput(decision=decision, feedback=feedback, scores=scores)


def _read_notifications(run: _Run, who: str) -> None:
    from milepost.notifications import services as notifications

    notifications.mark_all_read(run.session, _person(run, who))


def _claim(run: _Run, who: str, reward_name: str, state: dict) -> None:
    from milepost.points import services as points
    from milepost.points.models import Reward

    reward = run.session.scalar(select(Reward).where(Reward.name == reward_name))
    if reward is None:
        return
    try:
        state["claim"] = points.claim_reward(run.session, reward, user=_person(run, who))
    except DomainError:
        return  # not unlocked on that day (a short school year): no claim


def _fulfil(run: _Run, state: dict) -> None:
    from milepost.points import services as points
    from milepost.points.models import ClaimStatus

    claim = state.get("claim")
    if claim is not None and claim.status == ClaimStatus.CLAIMED:
        points.fulfil_claim(run.session, claim, by=_person(run, DANA),
                            note="Delivered at the staff meeting. Thank you for all you do!")


EXEMPLARS = 3  # decided submissions of different badges the demo PD office marks as exemplars
EXEMPLAR_NOTES = ("A clear example of evidence that meets the standard on every criterion.",
                  "Strong practice, with reflection that names what changed for students.",
                  "Useful for calibrating: solid evidence, scored at the meets level throughout.")


def seed_exemplars(session, people: dict) -> None:
    """The demo district's exemplars: awarded submissions of several badges, marked by the PD office as
    anchors with agreed scores (those of their deciding review), through the same services as the pages."""
    from milepost.evidence.models import Submission, SubmissionState
    from milepost.reviews import services as reviews
    from milepost.reviews.models import Anchor

    cast = {email.split("@")[0]: user for email, user in people.items() if email.endswith("@" + AT)}
    if DANA not in cast or session.scalar(select(Anchor.id).limit(1)) is not None:
        return
    chosen, badges = [], set()
    for submission in session.scalars(select(Submission).where(Submission.state == SubmissionState.AWARDED)
                                      .order_by(Submission.decided_at, Submission.id)):
        if submission.badge_id in badges or not reviews.rubric(submission)["criteria"]:
            continue
        deciding = reviews.deciding_reviews(session, submission)
        if not deciding or not all(s.level is not None for s in deciding[-1].scores):
            continue
        chosen.append((submission, {s.criterion_index: s.level for s in deciding[-1].scores}))
        badges.add(submission.badge_id)
        if len(chosen) == EXEMPLARS:
            break
    for (submission, levels), note in zip(chosen, EXEMPLAR_NOTES, strict=False):
        anchor = reviews.mark_anchor(session, submission, by=cast[DANA], note=note)
        reviews.set_agreed_levels(session, anchor, levels, by=cast[DANA])
    session.flush()
