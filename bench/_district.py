"""Benchmark districts: a database holding the demo district plus a generated one of N teachers,
built once and kept under bench/out/ (SQLite), or rebuilt in a schema of its own on PostgreSQL
when MILEPOST_BENCH_DATABASE_URL is set. Also: the people and objects each page is read as, and a
signed session cookie for them, so benchmarks never depend on the sign-in form (or its throttle).

Scale 0 is the plain demo district (`milepost seed-demo`)."""
from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "results"
PG_URL = os.environ.get("MILEPOST_BENCH_DATABASE_URL")


def backend() -> str:
    return "postgresql" if PG_URL else "sqlite"


def _fingerprint() -> str:
    """Changes when the schema or the generator changes, so a stale cached district is rebuilt."""
    digest = hashlib.sha256()
    # The demo district is every demo module (platform/demo*.py, platform/*/demo.py) and the demo catalogue.
    demo = sorted((ROOT / "platform").glob("demo*.py")) + sorted((ROOT / "platform").glob("*/demo*.*"))
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")) + demo:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def database_url(scale: int) -> str:
    if PG_URL:
        from sqlalchemy.engine import make_url

        from milepost.config import normalise_database_url
        url = make_url(normalise_database_url(PG_URL))
        return url.update_query_dict({"options": f"-csearch_path=milepost_bench_{scale}"}).render_as_string(
            hide_password=False)
    return f"sqlite:///{OUT / f'district-{scale}-{_fingerprint()}.db'}"


def settings(scale: int, **extra) -> dict:
    values = {"DATABASE_URL": database_url(scale), "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
              "FAST_PASSWORD_HASHING": True, "SECRET_KEY": "benchmark-secret", "UPLOAD_PATH": str(OUT / "uploads"),
              "OUTBOX_PATH": str(OUT / "outbox"), "BASE_URL": "http://127.0.0.1:5000",
              # Mail of the small demo's awards is written inline; keep the benchmark's log quiet.
              "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}}
    values.update(extra)
    return values


def environment() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MILEPOST_INSTANCE_PATH", str(OUT / "instance"))
    import logging
    logging.getLogger("milepost").setLevel(logging.WARNING)


def make_app(scale: int, **extra):
    environment()
    from milepost.app import create_app
    return create_app(settings(scale, **extra))


def _reset_pg_schema(scale: int) -> None:
    from sqlalchemy import create_engine, text

    from milepost.config import normalise_database_url
    engine = create_engine(normalise_database_url(PG_URL))
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS milepost_bench_{scale} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA milepost_bench_{scale}"))
    engine.dispose()


def ensure(scale: int, *, fresh: bool = False, quiet: bool = False) -> float | None:
    """Build the district of `scale` teachers unless it is there already; returns the build time if built."""
    environment()
    path = None if PG_URL else Path(database_url(scale).removeprefix("sqlite:///"))
    # Written once the build finished: a half-built (or merely opened) database is never taken as ready.
    marker = OUT / (f"pg-{scale}-{_fingerprint()}.ready" if path is None else f"{path.name}.ready")
    if not fresh and marker.exists():
        return None
    if path is not None:
        for old in OUT.glob(f"district-{scale}-*"):
            old.unlink()
    else:
        _reset_pg_schema(scale)
        for old in OUT.glob(f"pg-{scale}-*.ready"):
            old.unlink()
    app = make_app(scale)
    started = time.perf_counter()
    with app.app_context():
        import logging

        from flask_migrate import upgrade

        from milepost import demo_large
        from milepost.demo import seed
        from milepost.extensions import db
        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()
        seed(db.session)
        db.session.commit()
        if scale:
            if not quiet:
                print(f"building a district of {scale:,} teachers ({backend()}) ...", file=sys.stderr)
            demo_large.generate(scale, progress=not quiet)
        db.session.remove()
        db.engine.dispose()
    marker.write_text("ready\n")
    return time.perf_counter() - started


@dataclass
class Cast:
    """Who reads each page and what they read, at one scale."""

    teacher: object
    coach: object
    pd_admin: object
    leader: object
    badge_slug: str
    award_public_id: str | None
    review_submission_id: int | None
    survey_id: int | None
    pilot_id: int | None
    busiest_year: int | None  # the finished school year with the most evidence sent (its dashboard reads the most)


def cast(scale: int) -> Cast:
    """Inside an app context: the people and objects of the benchmarked pages."""
    from sqlalchemy import func, select

    from milepost.accounts.models import User
    from milepost.awards.models import Award
    from milepost.extensions import db

    session = db.session

    def user(email):
        return session.scalar(select(User).where(User.email == email))

    if scale:
        from sqlalchemy import exists

        from milepost.accounts.models import UserRole
        from milepost.demo_large import EMAIL_DOMAIN
        # teacher000001 is a coach too (one in 250, and the first teachers of schools without one); the teacher
        # is the first generated plain teacher (no other role, as alicia.chen in the demo) with a public award.
        coach = user(f"teacher000001@{EMAIL_DOMAIN}")
        teacher = session.scalar(
            select(User).where(User.email.like(f"teacher%@{EMAIL_DOMAIN}"), User.active.is_(True),
                               ~exists().where(UserRole.user_id == User.id, UserRole.role != "teacher"),
                               exists().where(Award.user_id == User.id, Award.revoked_at.is_(None),
                                              Award.private.is_(False)))
            .order_by(User.id).limit(1))
    else:
        teacher, coach = user("alicia.chen@riverbend.example"), user("grace.okafor@riverbend.example")
    award = session.scalar(select(Award.public_id).where(Award.user_id == teacher.id, Award.revoked_at.is_(None),
                                                         Award.private.is_(False)).limit(1))
    review_id = survey_id = pilot_id = None
    try:
        from milepost.reviews import services as reviews
        rows = reviews.queue(session, coach, limit=50)
        chosen = next((r for r in rows if r.stage.kind == "coach"), rows[0] if rows else None)
        review_id = chosen.submission.id if chosen else None
    except ImportError:
        pass
    try:
        from milepost.surveys.models import Pilot, Survey, SurveyResponse
        survey_id = session.scalar(select(Survey.id).join(SurveyResponse, SurveyResponse.survey_id == Survey.id)
                                   .group_by(Survey.id).order_by(func.count().desc(), Survey.id).limit(1))
        pilot_id = session.scalar(select(Pilot.id).order_by(Pilot.id).limit(1))
    except ImportError:
        pass
    return Cast(teacher=teacher, coach=coach, pd_admin=user("dana.whitfield@riverbend.example"),
                leader=user("marcus.ortega@riverbend.example"), badge_slug="clear-learning-targets",
                award_public_id=award, review_submission_id=review_id, survey_id=survey_id, pilot_id=pilot_id,
                busiest_year=busiest_year(session))


def busiest_year(session, years_back: int = 5) -> int | None:
    """The finished school year (of the last few) in which the most evidence was sent, or None if none was."""
    from sqlalchemy import func, select

    from milepost.core.model import utcnow
    from milepost.evidence.models import Attempt
    try:
        from milepost.reports import services as reports
    except ImportError:
        return None
    this_year = reports.school_year_of(utcnow().date())
    sent = {}
    for year in range(this_year - years_back, this_year):
        first, last = reports.school_year_dates(year)
        period = reports.Filters(start=first, end=last)
        sent[year] = session.scalar(select(func.count()).select_from(Attempt).where(
            Attempt.submitted_at >= period.since, Attempt.submitted_at < period.until)) or 0
    year = max(sent, key=lambda y: (sent[y], y))
    return year if sent[year] else None


def session_values(user) -> dict:
    """What a signed-in session holds after the password (and any second factor) were checked."""
    return {"_user_id": user.get_id(), "_fresh": True, "signin_verified": {"uid": user.id, "strong": True}}


def session_cookie(app, user) -> str:
    """The signed Flask session cookie value of `user`, for an HTTP client such as wrk."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps(session_values(user))


def sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session.update(session_values(user))


def scale_label(scale: int) -> str:
    return "demo" if scale == 0 else f"{scale:,} teachers"


def parse_sizes(text: str) -> list[int]:
    return [0 if s in ("demo", "small") else 10_000 if s == "large" else int(re.sub(r"[_,]", "", s))
            for s in text.split(",") if s]
