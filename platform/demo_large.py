"""A large generated district for benchmarks: `milepost seed-demo --scale large` (10,000 teachers)
or `--scale N` (N teachers, every people-driven count in proportion).

The small demo runs first; this adds the bulk with SQLAlchemy Core executemany in batches, a few
transactions per step and no ORM object per row. The few catalogue and survey rows go through the
features' own services, so their documents are exactly what the product makes. A fixed seed makes
the content the same on every run (timestamps are relative to the moment it runs).

Each part is one function, so a part whose feature changes its schema can be switched off or
rewritten alone: `people`, `catalogue`, `evidence`, `awards`, `reviews`, `ledger`, `surveys`.
Reviews and surveys are skipped when their tables are not in the metadata."""
from __future__ import annotations

import hashlib
import hmac
import io
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from sqlalchemy import func, insert, select

from milepost.awards.models import AwardHow
from milepost.badges.models import BadgeKind, BadgeStatus, PromptKind
from milepost.core.access import Role
from milepost.core.model import utcnow
from milepost.evidence.models import AttemptOutcome, ItemKind, SubmissionState
from milepost.extensions import db
from milepost.points.models import EntryKind

LARGE = 10_000
BATCH = 5_000
SEED = 13
EMAIL_DOMAIN = "district.example"
STATUS_LIST_SIZE = 131_072

FIRST = ["Aaliyah", "Ben", "Carmen", "Dmitri", "Esther", "Farah", "Gabriel", "Hana", "Ibrahim", "Jada", "Kofi",
         "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Samir", "Tess", "Uma", "Victor", "Wen",
         "Ximena", "Yusuf", "Zoe", "Aiden", "Bianca", "Chen", "Delia", "Emeka", "Flora", "Gustavo", "Helga"]
LAST = ["Abbott", "Bauer", "Castillo", "Dang", "Eriksen", "Fontaine", "Gupta", "Haddad", "Ivanova", "Jensen",
        "Kowalski", "Lindgren", "Mensah", "Novak", "Okafor", "Park", "Quispe", "Rossi", "Santos", "Tanaka",
        "Umarov", "Varga", "Walsh", "Xu", "Yilmaz", "Zimmer", "Adams", "Brooks", "Cruz", "Diallo", "Ellis"]
SCHOOL_KINDS = ["Elementary School", "Middle School", "High School", "K-8 Academy", "Early Learning Center"]
PLACES = ["Oak", "Maple", "Lakeside", "Hillcrest", "Riverside", "Pine", "Meadow", "Harbor", "Summit", "Willow",
          "Granite", "Aspen", "Brookfield", "Cedar", "Fairview", "Northgate", "Southport", "Westwood", "Eastlake",
          "Juniper"]
PLC_TOPICS = ["literacy", "math", "science", "humanities", "arts", "inclusion", "early years", "STEM",
              "world languages", "assessment", "new teachers", "advisory"]
REFLECTIONS = [
    "I tried this with my third-period class and the change in how students talked about their work was clear.",
    "The first attempt felt clumsy; by the second week students were using the success criteria without prompting.",
    "Two students who rarely speak up explained their goals to a partner, which I had not seen before this year.",
    "I adapted the protocol for my co-taught section and kept a short log of what each group needed from me.",
    "Looking at the samples with my PLC showed me where my feedback was vague, so I rewrote the prompts.",
]
FILES = [("lesson-plan.pdf", "application/pdf", b"%PDF-1.4\n% generated benchmark file\n%%EOF\n"),
         ("student-work.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
         ("class-clip.mp4", "video/mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64)]
# The share of submissions ending in each state (awards are the awarded ones: half of them).
STATES = [(SubmissionState.AWARDED, 0.50), (SubmissionState.DRAFT, 0.20), (SubmissionState.RETURNED, 0.10),
          (SubmissionState.IN_REVIEW, 0.10), (SubmissionState.SUBMITTED, 0.05), (SubmissionState.WITHDRAWN, 0.05)]
# The states whose submission is decided (its last attempt has an outcome).
FINISHED = (SubmissionState.AWARDED, SubmissionState.RETURNED, SubmissionState.WITHDRAWN)


@dataclass
class Shape:
    """The counts for a district of `teachers` teachers. 10,000 is the issue's large district."""

    teachers: int
    schools: int
    plcs: int
    badges: int
    strands: int
    submissions: int
    reviews: int
    ledger: int
    surveys: int
    responses_per_survey: int

    @classmethod
    def for_teachers(cls, teachers: int) -> Shape:
        f = teachers / LARGE
        # People-driven counts grow with the district; the catalogue and the surveys are the PD office's
        # work and grow in proportion only up to the large district's (a state shares one catalogue).
        return cls(teachers=teachers, schools=max(2, round(40 * f)), plcs=max(3, round(1000 * f)),
                   badges=max(24, round(150 * min(f, 1))), strands=8,
                   submissions=12 * teachers, reviews=24 * teachers, ledger=40 * teachers,
                   surveys=max(1, round(20 * min(f, 1))), responses_per_survey=min(teachers, max(5, round(5000 * f))))

    @property
    def awards(self) -> int:
        return self.submissions // 2


def parse_scale(value: str) -> int:
    if value == "large":
        return LARGE
    if value.isdigit() and int(value) > 0:
        return int(value)
    raise click.BadParameter("use 'large' or a number of teachers, e.g. 1000")


@dataclass
class Context:
    shape: Shape
    rng: random.Random
    now: datetime
    bar: object = None
    school_ids: list = field(default_factory=list)
    teacher_ids: list = field(default_factory=list)
    school_of: dict = field(default_factory=dict)
    coaches_by_school: dict = field(default_factory=dict)
    plcs_of: dict = field(default_factory=dict)
    members_of: dict = field(default_factory=dict)
    badges: list = field(default_factory=list)  # dicts: id, version_id, points, prompts (kinds)
    submissions: list = field(default_factory=list)  # tuples (id, user_id, badge, state, attempts)
    award_ids: list = field(default_factory=list)
    reviews: list = field(default_factory=list)  # (review id, reviewer id, submitted at) of submitted reviews
    balance: dict = field(default_factory=dict)
    first_number: int = 1
    ledger_written: int = 0
    timings: dict = field(default_factory=dict)


def tables() -> dict:
    return db.metadata.tables


def has_tables(*names: str) -> bool:
    return all(n in db.metadata.tables for n in names)


def next_id(conn, table: str) -> int:
    return (conn.execute(select(func.max(tables()[table].c.id))).scalar() or 0) + 1


def bulk(conn, table: str, rows, ctx: Context) -> int:
    """Insert an iterable of dicts (all with the same keys) in batches of BATCH; returns the count."""
    target, batch, count = tables()[table], [], 0
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            conn.execute(insert(target), batch)
            count += len(batch)
            ctx.bar.update(len(batch))
            batch = []
    if batch:
        conn.execute(insert(target), batch)
        count += len(batch)
        ctx.bar.update(len(batch))
    return count


def ago(ctx: Context, days_max: float, days_min: float = 0.0) -> datetime:
    return ctx.now - timedelta(days=ctx.rng.uniform(days_min, days_max))


# --------------------------------------------------------------------------- parts


def already_generated(session) -> bool:
    from milepost.accounts.models import User
    return session.scalar(select(User.id).where(User.email == f"teacher000001@{EMAIL_DOMAIN}")) is not None


def people(ctx: Context) -> None:
    """Schools, teachers (one in 250 also a coach), roles, PLCs and memberships, in one transaction."""
    from milepost.accounts.services import _CHEAP
    from milepost.demo import PASSWORD

    shape, rng, now = ctx.shape, ctx.rng, ctx.now
    password_hash = _CHEAP.hash(PASSWORD)  # hashed once: every generated person shares the demo password
    with db.engine.begin() as conn:
        first_school = next_id(conn, "school")
        schools = []
        for n in range(shape.schools):
            name = (f"{PLACES[n % len(PLACES)]} {SCHOOL_KINDS[(n // len(PLACES)) % len(SCHOOL_KINDS)]} "
                    f"{first_school + n}")
            schools.append({"id": first_school + n, "name": name, "created_at": now, "updated_at": now})
        bulk(conn, "school", schools, ctx)
        ctx.school_ids = [s["id"] for s in schools]

        first_user = next_id(conn, "user")
        ctx.teacher_ids = list(range(first_user, first_user + shape.teachers))
        for i, uid in enumerate(ctx.teacher_ids):
            ctx.school_of[uid] = ctx.school_ids[i % shape.schools]

        def users():
            for i, uid in enumerate(ctx.teacher_ids):
                number = i + ctx.first_number
                yield {"id": uid, "email": f"teacher{number:06d}@{EMAIL_DOMAIN}",
                       "display_name": f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {number}",
                       "password_hash": password_hash, "active": rng.random() > 0.02, "school_id": ctx.school_of[uid],
                       "last_login_at": ago(ctx, 60), "session_version": 1, "created_at": ago(ctx, 1100, 900),
                       "updated_at": now}

        bulk(conn, "user", users(), ctx)
        coaches = set(ctx.teacher_ids[::250])
        for uid in coaches:
            ctx.coaches_by_school.setdefault(ctx.school_of[uid], []).append(uid)
        # Every school has a coach, so every submission can be decided.
        for i, sid in enumerate(ctx.school_ids):
            if sid not in ctx.coaches_by_school:
                uid = ctx.teacher_ids[i]
                coaches.add(uid)
                ctx.coaches_by_school.setdefault(ctx.school_of[uid], []).append(uid)

        def roles():
            for uid in ctx.teacher_ids:
                yield {"user_id": uid, "role": Role.TEACHER}
            for uid in sorted(coaches):
                yield {"user_id": uid, "role": Role.COACH}

        bulk(conn, "user_role", roles(), ctx)

        first_plc = next_id(conn, "plc")
        by_school = {}
        for uid in ctx.teacher_ids:
            by_school.setdefault(ctx.school_of[uid], []).append(uid)
        plcs = []
        for n in range(shape.plcs):
            district_wide = n % 10 == 9
            school = None if district_wide else ctx.school_ids[n % shape.schools]
            topic = PLC_TOPICS[n % len(PLC_TOPICS)]
            plcs.append({"id": first_plc + n, "name": f"{topic.capitalize()} team {first_plc + n}",
                         "description": f"Teachers working together on {topic}.", "school_id": school,
                         "facilitator_id": None, "created_at": now, "updated_at": now})
        members = {}
        school_plcs = {}
        for p in plcs:
            school_plcs.setdefault(p["school_id"], []).append(p["id"])
        for uid in ctx.teacher_ids:
            own = school_plcs.get(ctx.school_of[uid]) or school_plcs.get(None) or []
            chosen = {rng.choice(own)} if own else set()
            if rng.random() < 0.4 and school_plcs.get(None):
                chosen.add(rng.choice(school_plcs[None]))
            for pid in chosen:
                members.setdefault(pid, []).append(uid)
                ctx.plcs_of.setdefault(uid, []).append(pid)
        for p in plcs:
            if members.get(p["id"]):
                p["facilitator_id"] = members[p["id"]][0]
        ctx.members_of = members
        bulk(conn, "plc", plcs, ctx)
        bulk(conn, "plc_membership", ({"plc_id": pid, "user_id": uid, "joined_at": ago(ctx, 700)}
                                      for pid in sorted(members) for uid in members[pid]), ctx)


def badge_document(n: int, strand: str, rng: random.Random) -> dict:
    """A believable generated badge in the exchange format."""
    topic = rng.choice(["feedback", "questioning", "small-group instruction", "student discourse", "family outreach",
                        "data conversations", "project design", "scaffolding", "peer assessment", "goal tracking"])
    prompts = [{"kind": PromptKind.TEXT, "title": "Describe what you did and why", "guidance": "A few paragraphs.",
                "required": True},
               {"kind": PromptKind.FILE, "title": "Upload an artefact (plan, student work or a short clip)",
                "guidance": "", "required": True},
               {"kind": PromptKind.TEXT, "title": "Reflect on what changed for your students", "guidance": "",
                "required": True}]
    if n % 3 == 0:
        prompts.append({"kind": PromptKind.LINK, "title": "Link to a resource you made", "guidance": "",
                        "required": False})
    levels = ["Beginning", "Developing", "Meets", "Exceeds"]
    return {
        "slug": f"generated-{n:04d}", "title": f"{topic.capitalize()} in practice {n}", "kind": BadgeKind.PRACTICE,
        "strand": strand, "level": 1 + n % 3,
        "summary": f"Plan, try and reflect on {topic} with one class over two weeks.",
        "competency": f"I can use {topic} to move every student's learning forward.",
        "key_method": "Plan it with your PLC, try it twice, collect evidence, reflect with a colleague.",
        "research": "Generated for the benchmark district.", "resources": "- Your PLC\n- Your coach",
        "points": rng.choice([50, 75, 100, 150, 200]), "credit_hours": rng.choice([2, 3, 5, 8]),
        "estimated_time": "2-4 weeks", "tags": [topic.split()[0][:40]], "prerequisites": [],
        "status": BadgeStatus.DRAFT,
        "prompts": prompts,
        "rubric": {"levels": levels, "meets_level": "Meets",
                   "criteria": [{"name": name, "descriptions": [f"{name}: {lv.lower()}" for lv in levels]}
                                for name in ("Planning", "Implementation", "Evidence of impact")]},
    }


def catalogue(ctx: Context) -> None:
    """The catalogue up to `badges` published badges in `strands` strands, through the badge services."""
    from milepost.badges import services
    from milepost.badges.models import Badge, BadgeVersion, Strand

    session, rng = db.session, ctx.rng
    strands = session.scalars(select(Strand).order_by(Strand.position)).all()
    position = max([s.position for s in strands] or [0])
    for n in range(len(strands), ctx.shape.strands):
        position += 1
        strand = Strand(slug=f"generated-strand-{n + 1}", name=f"District priority {n + 1}",
                        description="A generated strand for the benchmark district.", position=position)
        session.add(strand)
        strands.append(strand)
    session.flush()
    existing = session.scalar(select(func.count(Badge.id))) or 0
    for n in range(existing, ctx.shape.badges):
        badge = services.save_badge(session, None, badge_document(n + 1, strands[n % len(strands)].slug, rng),
                                    actor=None)
        services.publish(session, badge, actor=None)
        ctx.bar.update(1)
    session.commit()
    latest = (select(BadgeVersion.badge_id, func.max(BadgeVersion.number).label("number"))
              .group_by(BadgeVersion.badge_id).subquery())
    rows = session.execute(select(Badge.id, BadgeVersion.id, BadgeVersion.snapshot)
                           .join(BadgeVersion, BadgeVersion.badge_id == Badge.id)
                           .join(latest, (latest.c.badge_id == BadgeVersion.badge_id)
                                 & (latest.c.number == BadgeVersion.number))
                           .where(Badge.status == BadgeStatus.PUBLISHED).order_by(Badge.id)).all()
    ctx.badges = [{"id": bid, "version_id": vid, "points": int(snap.get("points", 0) or 0),
                   "prompts": [p["kind"] for p in snap.get("prompts", [])],
                   "criteria": [c["name"] for c in snap.get("rubric", {}).get("criteria", [])]}
                  for bid, vid, snap in rows]


def state_pool(total: int, rng: random.Random) -> list[SubmissionState]:
    """Exactly the STATES shares of `total` submissions (rounding goes to the largest share), shuffled:
    10,000 teachers get exactly 60,000 awarded submissions, hence 60,000 awards."""
    counts = [round(total * share) for _state, share in STATES]
    counts[0] += total - sum(counts)
    pool = [state for (state, _share), n in zip(STATES, counts, strict=True) for _ in range(n)]
    rng.shuffle(pool)
    return pool


def evidence(ctx: Context) -> None:
    """Submissions in every state, their attempts, evidence items (text, link, and file items that point at a
    few shared stored files) and timeline events."""
    from flask import current_app

    from milepost.evidence.storage import FileStore

    rng, now, shape = ctx.rng, ctx.now, ctx.shape
    per_teacher = max(1, min(len(ctx.badges), shape.submissions // shape.teachers))
    store = FileStore(current_app.config["UPLOAD_PATH"])
    with db.engine.begin() as conn:
        known = set(conn.execute(select(tables()["stored_file"].c.sha256)).scalars())
        shared = []
        for filename, mime, content in FILES:
            sha = hashlib.sha256(content).hexdigest()
            path = store.path_for(sha)
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
            if sha not in known:
                conn.execute(insert(tables()["stored_file"]), {"sha256": sha, "size": len(content), "mime": mime,
                                                               "created_at": now})
            shared.append((sha, filename))

        sub_id, att_id, item_id = next_id(conn, "submission"), next_id(conn, "attempt"), next_id(conn, "evidence_item")
        event_id = next_id(conn, "submission_event")
        subs, attempts, items, events = [], [], [], []

        def flush(force=False):
            # Parents before children, all together, so every foreign key finds its row.
            if not force and len(items) < BATCH:
                return
            for name, rows in (("submission", subs), ("attempt", attempts), ("evidence_item", items),
                               ("submission_event", events)):
                if rows:
                    conn.execute(insert(tables()[name]), rows)
                    if name == "submission":
                        ctx.bar.update(len(rows))
                    rows.clear()

        states = state_pool(len(ctx.teacher_ids) * per_teacher, rng)
        for uid in ctx.teacher_ids:
            for badge in rng.sample(ctx.badges, per_teacher):
                state = states.pop()
                started = ago(ctx, 1000, 30)
                n_attempts = 1
                if (state in (SubmissionState.AWARDED, SubmissionState.IN_REVIEW, SubmissionState.SUBMITTED)
                        and rng.random() < 0.3):
                    n_attempts = 2
                elif state == SubmissionState.RETURNED and rng.random() < 0.2:
                    n_attempts = 2
                sid = sub_id
                sub_id += 1
                moment = started
                last_submitted = decided = None
                for number in range(1, n_attempts + 1):
                    final = number == n_attempts
                    submitted = (None if (final and state == SubmissionState.DRAFT)
                                 else moment + timedelta(days=rng.uniform(1, 10)))
                    if final and state == SubmissionState.WITHDRAWN and rng.random() < 0.5:
                        submitted = None
                    outcome = decided_at = None
                    if not final:
                        outcome = AttemptOutcome.RETURNED
                    elif state in FINISHED:
                        outcome = AttemptOutcome(state)
                    if outcome in (AttemptOutcome.AWARDED, AttemptOutcome.RETURNED) and submitted is not None:
                        decided_at = submitted + timedelta(days=rng.uniform(1, 12))
                    elif outcome == AttemptOutcome.WITHDRAWN:
                        decided_at = (submitted or moment) + timedelta(days=rng.uniform(1, 5))
                    attempts.append({"id": att_id, "submission_id": sid, "user_id": uid, "badge_id": badge["id"],
                                     "number": number, "created_at": moment,
                                     "submitted_at": submitted, "privacy_confirmed_at": submitted, "outcome": outcome,
                                     "feedback": "Strong planning; show more of the students' side next time."
                                     if outcome == AttemptOutcome.RETURNED else "", "decided_at": decided_at,
                                     "decided_by_id": None})
                    for index, kind in enumerate(badge["prompts"]):
                        if kind == ItemKind.LINK and rng.random() < 0.5:
                            continue
                        row = {"id": item_id, "attempt_id": att_id, "prompt_index": index, "kind": kind, "text": "",
                               "url": "", "file_sha256": None, "filename": "", "student_info": False,
                               "created_at": moment, "updated_at": moment}
                        if kind == ItemKind.TEXT:
                            row["text"] = rng.choice(REFLECTIONS)
                        elif kind == ItemKind.LINK:
                            row["url"] = f"https://docs.{EMAIL_DOMAIN}/shared/{item_id}"
                        else:
                            sha, filename = rng.choice(shared)
                            row["file_sha256"], row["filename"] = sha, filename
                            row["student_info"] = rng.random() < 0.2
                        items.append(row)
                        item_id += 1
                    att_id += 1
                    if submitted is not None:
                        events.append({"id": event_id, "submission_id": sid, "attempt_number": number,
                                       "at": submitted, "actor_id": uid,
                                       "action": "submit" if number == 1 else "resubmit",
                                       "from_state": SubmissionState.DRAFT if number == 1 else SubmissionState.RETURNED,
                                       "to_state": SubmissionState.SUBMITTED, "note": ""})
                        event_id += 1
                        last_submitted = submitted
                    if decided_at is not None:
                        events.append({"id": event_id, "submission_id": sid, "attempt_number": number,
                                       "at": decided_at, "actor_id": None,
                                       "action": {AttemptOutcome.AWARDED: "award", AttemptOutcome.RETURNED: "return",
                                                  AttemptOutcome.WITHDRAWN: "withdraw"}[outcome],
                                       "from_state": (SubmissionState.IN_REVIEW if outcome != AttemptOutcome.WITHDRAWN
                                                      else SubmissionState.SUBMITTED),
                                       "to_state": SubmissionState(outcome), "note": ""})
                        event_id += 1
                        decided = decided_at
                    moment = (decided_at or submitted or moment) + timedelta(days=rng.uniform(1, 20))
                # The review stage, as the default chain leaves it: sent work waits at the peers' stage 1 or
                # the coach's stage 2 (its track, made in reviews(), has no count of its own), decided work keeps
                # the coach's stage that decided it, work withdrawn while waiting its stage 1; never-sent, none.
                stage = None if last_submitted is None else {
                    SubmissionState.SUBMITTED: 1, SubmissionState.IN_REVIEW: 2, SubmissionState.AWARDED: 2,
                    SubmissionState.RETURNED: 2, SubmissionState.WITHDRAWN: 1}.get(state)
                subs.append({"id": sid, "user_id": uid, "badge_id": badge["id"],
                             "badge_version_id": badge["version_id"],
                             "state": state, "stage": stage, "attempt_number": n_attempts,
                             "submitted_at": last_submitted, "decided_at": decided if state in FINISHED else None,
                             "lock_version": 1 + 2 * n_attempts, "created_at": started, "updated_at": moment})
                ctx.submissions.append((sid, uid, badge, state, n_attempts, last_submitted, decided))
                flush()
        flush(force=True)


def awards(ctx: Context) -> None:
    """An award for every awarded submission, its credential state, and the award's ledger entry."""
    rng = ctx.rng
    with db.engine.begin() as conn:
        award_id = next_id(conn, "award")
        taken = set(conn.execute(select(tables()["credential_award"].c.status_index)).scalars()) \
            if has_tables("credential_award") else set()
        free = [i for i in range(STATUS_LIST_SIZE) if i not in taken]
        rng.shuffle(free)
        rows, creds, ledger = [], [], []
        for sid, uid, badge, state, _n, _submitted, decided in ctx.submissions:
            if state != SubmissionState.AWARDED:
                continue
            revoked = rng.random() < 0.005
            rows.append({"id": award_id, "public_id": f"g{award_id:09d}{rng.getrandbits(40):010x}", "user_id": uid,
                         "badge_id": badge["id"], "badge_version_id": badge["version_id"], "submission_id": sid,
                         "how": AwardHow.EARNED, "note": "", "issued_at": decided, "issued_by_id": None,
                         "expires_at": None, "revoked_at": ctx.now - timedelta(days=3) if revoked else None,
                         "revoked_reason": "Issued in error." if revoked else "", "revoked_by_id": None,
                         "private": rng.random() < 0.1, "go_to": rng.random() < 0.15})
            n = len(ctx.award_ids)
            creds.append({"award_id": award_id, "salt": f"{rng.getrandbits(64):016x}",
                          "status_list": 1 + n // len(free) if free else 1,
                          "status_index": free[n % len(free)] if free else n, "created_at": decided})
            ledger.append({"user_id": uid, "kind": EntryKind.AWARD, "amount": badge["points"],
                           "source": f"award:{award_id}", "award_id": award_id, "reason": "Badge earned",
                           "created_by_id": None, "created_at": decided})
            if revoked:
                ledger.append({"user_id": uid, "kind": EntryKind.REVERSAL, "amount": -badge["points"],
                               "source": f"reversal:award:{award_id}", "award_id": award_id,
                               "reason": "Award revoked: Issued in error.", "created_by_id": None,
                               "created_at": ctx.now - timedelta(days=3)})
            ctx.award_ids.append(award_id)
            award_id += 1
        bulk(conn, "award", rows, ctx)
        if has_tables("credential_award"):
            bulk(conn, "credential_award", creds, ctx)
        _ledger_rows(conn, ledger, ctx)
    # The catalogue's holder counts, recounted in bulk (the inserts above bypass the ORM events that keep them).
    from milepost.awards.services import rebuild_earners

    rebuild_earners(db.session)
    db.session.commit()


def _ledger_rows(conn, rows: list, ctx: Context) -> None:
    ctx.ledger_written += len(rows)
    for row in rows:
        ctx.balance[row["user_id"]] = ctx.balance.get(row["user_id"], 0) + row["amount"]
    bulk(conn, "ledger_entry", rows, ctx)


def reviews(ctx: Context) -> None:
    """Review tracks for open submissions and reviews at the default chain's stages (peer feedback, then a
    coach's decision) for every submitted attempt, each completed review earning the reviewer's points."""
    if not has_tables("review", "review_track", "review_chain", "review_stage"):
        click.echo("reviews: the review tables are not in this schema; skipped.", err=True)
        return
    from flask import current_app

    from milepost.reviews import services as review_services
    from milepost.reviews.models import Decision, ReviewStatus, StageKind

    rng = ctx.rng
    chain = review_services._default_chain(db.session, "default")
    db.session.commit()
    chain_id, points = chain.id, int(current_app.config.get("REVIEW_POINTS") or 0)
    kinds = {stage.position: stage.kind for stage in chain.stages}
    target = ctx.shape.reviews
    with db.engine.begin() as conn:
        review_id = next_id(conn, "review")
        tracks, rows, ledger, visits = [], [], [], []
        refs = set()

        def peer_for(uid):
            pool = [m for pid in ctx.plcs_of.get(uid, []) for m in ctx.members_of.get(pid, [])[:40] if m != uid]
            return rng.choice(pool) if pool else None

        def coach_for(uid):
            pool = [c for c in ctx.coaches_by_school.get(ctx.school_of[uid], []) if c != uid]
            return rng.choice(pool) if pool else None

        def add(sid, attempt, position, kind, reviewer, decision, at, submitted=True):
            nonlocal review_id
            rows.append({"id": review_id, "submission_id": sid, "attempt_number": attempt, "position": position,
                         "stage_kind": kind, "reviewer_id": reviewer,
                         "status": ReviewStatus.SUBMITTED if submitted else ReviewStatus.DRAFT,
                         "decision": decision if submitted else None,
                         "feedback": "Clear plan and good evidence of student talk." if submitted else "",
                         "private_note": "", "started_at": at - timedelta(hours=2),
                         "submitted_at": at if submitted else None})
            if submitted and points:
                ledger.append({"user_id": reviewer, "kind": EntryKind.REVIEW, "amount": points,
                               "source": f"review:{review_id}", "award_id": None, "reason": "Review completed",
                               "created_by_id": None, "created_at": at})
            review_id += 1

        second_peer = []
        for sid, uid, _badge, state, n_attempts, submitted, _decided in ctx.submissions:
            if state == SubmissionState.DRAFT or submitted is None:
                continue
            peer, coach = peer_for(uid), coach_for(uid)
            for number in range(1, n_attempts + 1):
                final = number == n_attempts
                at = submitted - timedelta(days=(n_attempts - number) * 15)
                if final and state == SubmissionState.SUBMITTED:
                    break  # waiting at stage 1
                if peer is not None:
                    add(sid, number, 1, StageKind.PEER, peer, Decision.PASS, at + timedelta(days=1))
                    second_peer.append((sid, number, uid, peer, at))
                if final and state in (SubmissionState.IN_REVIEW, SubmissionState.WITHDRAWN):
                    if state == SubmissionState.IN_REVIEW and coach is not None and rng.random() < 0.3:
                        add(sid, number, 2, StageKind.COACH, coach, None, at + timedelta(days=2), submitted=False)
                    break
                if coach is not None:
                    add(sid, number, 2, StageKind.COACH, coach,
                        Decision.MEETS if final and state == SubmissionState.AWARDED else Decision.NOT_YET,
                        at + timedelta(days=3))
            if state in (SubmissionState.SUBMITTED, SubmissionState.IN_REVIEW):
                ref = None
                while ref is None or ref in refs:
                    ref = "S-" + "".join(rng.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(6))
                refs.add(ref)
                position = 2 if state == SubmissionState.IN_REVIEW else 1  # the submission's stage, set in evidence()
                entered = ago(ctx, 20)
                tracks.append({"submission_id": sid, "chain_id": chain_id, "entered_at": entered,
                               "returned_from": None, "ref": ref, "waiting_kind": kinds[position]})
                visits.append({"submission_id": sid, "attempt_number": n_attempts, "position": position,
                               "kind": StageKind.COACH if position == 2 else StageKind.PEER, "entered_at": entered,
                               "left_at": None, "outcome": None})
        # More than one colleague often gives peer feedback: fill up to the target with second opinions.
        rng.shuffle(second_peer)
        for sid, number, uid, first, at in second_peer:
            if len(rows) >= target:
                break
            other = peer_for(uid)
            if other is not None and other != first:
                add(sid, number, 1, StageKind.PEER, other, Decision.PASS, at + timedelta(days=2))
        # Unique (submission, attempt, position, reviewer): a second opinion by the same person is dropped.
        seen, unique = set(), []
        for r in rows:
            key = (r["submission_id"], r["attempt_number"], r["position"], r["reviewer_id"])
            if key not in seen:
                seen.add(key)
                unique.append(r)
        kept = {r["id"] for r in unique}
        ledger = [e for e in ledger if int(e["source"].split(":")[1]) in kept]
        bulk(conn, "review_track", tracks, ctx)
        if has_tables("review_stage_visit"):
            bulk(conn, "review_stage_visit", visits, ctx)
        bulk(conn, "review", unique, ctx)
        _ledger_rows(conn, ledger, ctx)
        ctx.reviews = len(unique)


def ledger(ctx: Context) -> None:
    """Bonuses and adjustments up to the ledger target, then one points account per person whose cached
    balance is exactly the sum of their entries (`milepost points verify` finds no difference)."""
    rng = ctx.rng
    with db.engine.begin() as conn:
        missing = max(0, ctx.shape.ledger - ctx.ledger_written)
        rows = []
        for n in range(missing):
            uid = rng.choice(ctx.teacher_ids)
            if n % 4 == 3:
                amount, kind, reason = (rng.choice([-20, 10, 25, 50]), EntryKind.ADJUSTMENT,
                                        "Attendance at a district PD day")
            else:
                amount, kind, reason = rng.choice([5, 10, 15]), EntryKind.PLC_BONUS, "PLC met its goal this month"
            rows.append({"user_id": uid, "kind": kind, "amount": amount, "source": f"{kind}:gen-{ctx.first_number}-{n}",
                         "award_id": None, "reason": reason, "created_by_id": None, "created_at": ago(ctx, 1000)})
        _ledger_rows(conn, rows, ctx)
        accounts = tables()["points_account"]
        existing = {uid: bal for uid, bal in conn.execute(select(accounts.c.user_id, accounts.c.balance))}
        for uid, bal in existing.items():
            if uid in ctx.balance:
                conn.execute(accounts.update().where(accounts.c.user_id == uid).values(balance=bal + ctx.balance[uid]))
        bulk(conn, "points_account", ({"user_id": uid, "balance": ctx.balance.get(uid, 0),
                                       "leaderboard_opt_in": rng.random() < 0.3, "updated_at": ctx.now}
                                      for uid in ctx.teacher_ids if uid not in existing), ctx)
    # The period, badge, school and PLC totals the leaderboards read, recomputed from the ledger and the
    # memberships in a few bulk statements (the bulk inserts above bypass the ORM events that keep them).
    from milepost.points import standings

    standings.rebuild(db.session)
    db.session.commit()


def _answer(q, rng: random.Random):
    from milepost.surveys.models import QuestionKind

    if q.kind == QuestionKind.LIKERT and q.retrospective:
        before = rng.randint(1, len(q.options) - 1)
        return {"before": before, "now": rng.randint(before, len(q.options))}
    if q.kind == QuestionKind.LIKERT:
        return rng.randint(1, len(q.options))
    if q.kind == QuestionKind.SINGLE:
        return rng.randrange(len(q.options))
    if q.kind == QuestionKind.MULTIPLE:
        return sorted(rng.sample(range(len(q.options)), min(len(q.options), rng.choice([1, 2, 2, 3]))))
    if q.kind == QuestionKind.NUMBER:
        lo = q.min_value if q.min_value is not None else 0
        hi = q.max_value if q.max_value is not None else 20
        return float(round(rng.uniform(lo, min(hi, lo + 20))))
    if q.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        return rng.choice(REFLECTIONS) if rng.random() < 0.3 else None
    if q.kind == QuestionKind.RUBRIC:
        return [rng.randint(1, len(q.options)) for _ in q.indicators]
    return None


def surveys(ctx: Context) -> None:
    """Closed, published anonymous surveys for everyone, each answered by `responses_per_survey` teachers."""
    if not has_tables("survey", "survey_response", "survey_answer", "survey_participation"):
        click.echo("surveys: the survey tables are not in this schema; skipped.", err=True)
        return
    from milepost.surveys import services as survey_services
    from milepost.surveys.models import SurveyStatus
    from milepost.surveys.ready_made import ReadyMade

    rng, session = ctx.rng, db.session
    templates = [ReadyMade.EDUCATOR_POST, ReadyMade.EDUCATOR_PRE, ReadyMade.PULSE, ReadyMade.EDUCATOR_MID]
    made = []
    for n in range(ctx.shape.surveys):
        opens = (ctx.now - timedelta(days=40 + 30 * n)).date()
        survey = survey_services.create_from_template(session, templates[n % len(templates)], actor=None,
                                                      opens_on=opens, closes_on=opens + timedelta(days=14))
        survey.title = f"{survey.title} ({n + 1})"
        survey.status, survey.published_at = SurveyStatus.PUBLISHED, survey.opens_at
        made.append(survey)
        ctx.bar.update(1)
    session.commit()
    coaches = {c for group in ctx.coaches_by_school.values() for c in group}
    with db.engine.begin() as conn:
        for survey in made:
            asked = survey.asked
            key = bytes.fromhex(survey.own_key)
            people = rng.sample(ctx.teacher_ids, ctx.shape.responses_per_survey)
            responses, answers, participation = [], [], []
            for uid in people:
                rid = f"{rng.getrandbits(128):032x}"
                responses.append({"id": rid, "survey_id": survey.id,
                                  "user_id": None if survey.anonymous else uid,
                                  "pseudonym": hmac.new(key, f"survey:{survey.id}:{uid}".encode(),
                                                        hashlib.sha256).hexdigest(),
                                  "school_id": ctx.school_of[uid],
                                  "roles": f"{Role.COACH},{Role.TEACHER}" if uid in coaches else Role.TEACHER,
                                  "submitted": True})
                participation.append({"survey_id": survey.id, "user_id": uid, "submitted": True,
                                      "invited_at": survey.opens_at})
                for q in asked:
                    value = _answer(q, rng)
                    if value is not None:
                        answers.append({"response_id": rid, "question_id": q.id, "value": value})
            bulk(conn, "survey_response", responses, ctx)
            bulk(conn, "survey_participation", participation, ctx)
            bulk(conn, "survey_answer", answers, ctx)


# --------------------------------------------------------------------------- the run

PARTS = [("people", people), ("catalogue", catalogue), ("evidence", evidence), ("awards", awards),
         ("reviews", reviews), ("ledger", ledger), ("surveys", surveys)]


def estimated_rows(shape: Shape) -> int:
    return (shape.teachers * 3 + shape.plcs + shape.badges + shape.submissions + shape.awards * 3
            + shape.reviews + shape.ledger + shape.surveys * (1 + shape.responses_per_survey * 12))


def generate(teachers: int, *, seed: int = SEED, progress: bool = True, first_number: int = 1) -> dict:
    """Add a generated district of `teachers` teachers to the current database; returns the timings.

    `first_number` > 1 adds more teachers to a generated district (numbered from there), e.g. so a test
    can measure the same pages at two sizes in one database."""
    shape = Shape.for_teachers(teachers)
    if first_number == 1 and already_generated(db.session):
        raise click.ClickException("This database already holds a generated district; start from an empty one.")
    ctx = Context(shape=shape, rng=random.Random(seed + first_number), now=utcnow(), first_number=first_number)
    started = time.perf_counter()
    with click.progressbar(length=estimated_rows(shape), label=f"Generating {teachers:,} teachers",
                           file=sys.stderr if progress else io.StringIO(), show_eta=True,
                           item_show_func=lambda part: part) as bar:
        ctx.bar = bar
        for name, part in PARTS:
            t = time.perf_counter()
            bar.update(0, name)
            part(ctx)
            ctx.timings[name] = round(time.perf_counter() - t, 2)
        bar.update(max(0, bar.length - bar.pos))
    ctx.timings["total"] = round(time.perf_counter() - started, 2)
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return {"shape": shape, "timings": ctx.timings, "reviews": ctx.reviews if isinstance(ctx.reviews, int) else 0}


def counts() -> dict[str, int]:
    """Rows per table of interest, for the closing summary."""
    names = ["user", "school", "plc", "plc_membership", "strand", "badge", "badge_version", "submission", "attempt",
             "evidence_item", "award", "ledger_entry", "points_account", "review", "survey", "survey_response",
             "survey_answer"]
    with db.engine.connect() as conn:
        return {n: conn.execute(select(func.count()).select_from(tables()[n])).scalar()
                for n in names if n in tables()}
