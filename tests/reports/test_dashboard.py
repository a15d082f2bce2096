"""The district dashboard's figures on known data, each filter, and the page with its charts, tables
and CSV files."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from milepost.core.audit import AuditEvent
from milepost.core.errors import ValidationFailed
from milepost.extensions import db
from milepost.reports import services
from milepost.reports.figures import figures
from milepost.reports.services.board import _district_backlog, _percentile, _ranked
from milepost.reports.services.periods import days_between
from tests.helpers.reports import NOW, YEAR, YEAR_ARGS

MONTHS = ["2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04",
          "2026-05", "2026-06", "2026-07"]

INLINE = re.compile(r"<style|\sstyle=|<script(?![^>]*\ssrc=)")


def year_filters(**extra) -> services.Filters:
    start, end = services.school_year_dates(YEAR)
    return services.Filters(start=start, end=end, **extra)


def board_for(**extra) -> services.Dashboard:
    return services.dashboard(db.session, year_filters(**extra), now=NOW)


def test_the_school_year_runs_from_august_to_july():
    assert services.school_year_dates(2025) == (date(2025, 8, 1), date(2026, 7, 31))
    assert services.school_year_of(date(2026, 7, 31)) == 2025 and services.school_year_of(date(2026, 8, 1)) == 2026
    assert year_filters().months() == MONTHS


def test_monthly_activity_and_active_earners_are_counted_exactly(district):
    board = board_for()
    assert board.active_earners == 4
    assert board.started == {"2025-09": 2, "2025-11": 1, "2026-01": 1, "2026-02": 1}
    # Every sending counts: t1's first attempt and resubmission, t2, t3, t4.
    assert board.submitted == {"2025-09": 1, "2025-10": 1, "2025-11": 2, "2026-01": 1}
    # The revoked award and the one from July 2025 are not counted; the direct award is.
    assert board.awarded == {"2025-10": 1, "2025-11": 1, "2026-01": 1}


def test_awards_are_grouped_by_strand_and_by_school(district):
    board = board_for()
    assert board.awards_by_strand == [("Learner agency", 1), ("Literacy", 1), ("No strand", 1)]
    assert board.awards_by_school == [("Maple Elementary", 2), ("Pine High", 1)]


def test_backlog_waiting_times_and_turnaround_percentiles(district):
    board = board_for()
    waiting = board.backlog["coach"]
    # t3 has waited 60 days and t4 10 days on NOW.
    assert (waiting.n, waiting.median, waiting.p90, waiting.longest) == (2, pytest.approx(35), pytest.approx(55),
                                                                          pytest.approx(60))
    # Decisions in the period took 3, 10 and 2 days: median 3, 90th percentile 3 + 0.8 * 7 = 8.6 (percentile_cont).
    decision = board.turnaround[services.DECISION]
    assert (decision.n, decision.median, decision.p90, decision.longest) == (3, pytest.approx(3), pytest.approx(8.6),
                                                                              pytest.approx(10))
    coach = board.turnaround["coach"]
    assert (coach.n, coach.median, coach.p90) == (3, pytest.approx(3), pytest.approx(8.6))


def test_percentiles_match_percentile_cont_for_many_sizes():
    import statistics

    for n in range(1, 23):
        values = sorted((i * 7 % 11) + i / 3 for i in range(n))
        by_rank = {i + 1: v for i, v in enumerate(values)}
        assert _percentile(by_rank, n, 1, 2) == pytest.approx(statistics.median(values))
        expected = statistics.quantiles(values, n=10, method="inclusive")[-1] if n > 1 else values[0]
        assert _percentile(by_rank, n, 9, 10) == pytest.approx(expected)


def test_not_yet_rate_per_badge(district):
    board = board_for()
    rates = {r.title: (r.decisions, r.not_yet, r.rate, r.flagged) for r in board.not_yet}
    assert rates == {"Goal Setting": (2, 1, 50.0, False), "Read Aloud": (1, 0, 0.0, False)}
    assert [r.title for r in board.not_yet] == ["Goal Setting", "Read Aloud"]  # highest rate first
    assert services.BadgeRate(1, "Often returned", 4, 2).flagged
    assert not services.BadgeRate(1, "Too few decisions", 2, 2).flagged


def test_tiers_claims_and_survey_response(district, app):
    board = board_for()
    assert board.tiers == [("Associate", 3), ("Bachelor", 0)]  # t3 reached it before the school year
    assert [(name, n, since.date()) for name, n, since in board.claims] == [
        ("Coffee with the superintendent", 1, date(2025, 12, 1))]  # t2's claim is fulfilled
    everyone = db.session.scalar(select(db.func.count()).select_from(db.metadata.tables["user"]))
    [rate] = board.surveys
    # a saved draft is not an answer
    assert (rate.title, rate.answered, rate.audience) == ("Autumn check-in", 1, everyone)
    assert rate.rate == pytest.approx(100 / everyone)


def test_the_school_filter_narrows_every_figure(district):
    board = board_for(school_id=district.maple.id)
    assert board.active_earners == 2
    assert board.started == {"2025-09": 2}
    assert board.awarded == {"2025-10": 1, "2025-11": 1}
    assert board.awards_by_school == [("Maple Elementary", 2)]
    assert board.backlog == {}
    assert board.tiers == [("Associate", 2), ("Bachelor", 0)]
    assert board.claims[0][1] == 1
    [rate] = board.surveys
    assert (rate.answered, rate.audience) == (1, 3)  # t1, t2 and the coach work at Maple
    oak = board_for(school_id=district.oak.id)
    assert oak.backlog["coach"].n == 1 and oak.awarded == {} and oak.claims == []


def test_the_strand_filter_keeps_badges_of_that_strand(district):
    board = board_for(strand_id=district.agency.id)
    assert board.started == {"2025-09": 1, "2025-11": 1, "2026-01": 1}
    assert board.awarded == {"2025-10": 1}
    assert board.awards_by_strand == [("Learner agency", 1)]
    assert board.backlog["coach"].n == 2
    assert [r.title for r in board.not_yet] == ["Goal Setting"]


def test_the_pilot_filter_keeps_its_teachers_and_badges(district):
    board = board_for(pilot_id=district.pilot.id)
    assert board.active_earners == 2  # t1 and t3
    assert board.started == {"2025-09": 1, "2025-11": 1}
    assert board.awarded == {"2025-10": 1}
    assert board.backlog["coach"].n == 1
    assert board.surveys == []  # the survey is not one of the pilot's


def test_a_date_range_narrows_to_those_days(district):
    f = services.Filters(start=date(2025, 10, 1), end=date(2025, 11, 30))
    board = services.dashboard(db.session, f, now=NOW)
    assert f.months() == ["2025-10", "2025-11"]
    assert board.started == {"2025-11": 1}
    assert board.submitted == {"2025-10": 1, "2025-11": 2}
    assert board.awarded == {"2025-10": 1, "2025-11": 1}
    assert board.turnaround[services.DECISION].n == 2  # the September "not yet" is outside
    assert board.surveys == []
    assert board.backlog["coach"].n == 2  # the backlog is today's, whatever the period


def test_a_period_that_ends_before_it_starts_is_refused(district, client_for):
    with pytest.raises(ValidationFailed):
        services.dashboard(db.session, services.Filters(start=date(2026, 1, 2), end=date(2026, 1, 1)))
    page = client_for(district.pd).get("/reports/", query_string={"start": "2026-01-02", "end": "2026-01-01"})
    assert page.status_code == 400 and "before the start date" in page.get_data(as_text=True)


def test_the_page_shows_each_chart_with_its_table_and_csv_link(district, client_for):
    page = client_for(district.leader).get("/reports/", query_string=YEAR_ARGS)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('role="img"') >= 8 and html.count("<caption>") >= 9
    for key in ("activity", "awards-by-strand", "awards-by-school", "review-backlog", "review-turnaround",
                "not-yet-rate", "degree-tiers", "reward-claims", "survey-response"):
        assert f"/reports/figures/{key}.csv?year={YEAR}" in html
    assert not INLINE.search(html)  # the CSP forbids inline style and script
    assert "Maple Elementary" in html and "Goal Setting" in html
    assert "HYPERLINK" not in html and "class-photo.pdf" not in html  # no evidence on a dashboard


def test_a_figure_downloads_as_csv_with_the_tables_numbers_and_is_audited(district, client_for):
    pd = client_for(district.pd)
    response = pd.get("/reports/figures/activity.csv", query_string={**YEAR_ARGS, "school": district.maple.id})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Month", "Started", "Submitted", "Awarded"]
    assert rows[2] == ["Sep 2025", "2", "1", "0"] and len(rows) == 13
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.exported")).one()
    assert event.actor_id == district.pd.id and event.detail["report"] == "dashboard:activity"
    assert event.detail["filters"]["school"] == district.maple.id and event.detail["rows"] == 12
    assert pd.get("/reports/figures/nothing.csv", query_string=YEAR_ARGS).status_code == 404


def test_every_figure_has_as_many_table_columns_as_csv_columns(district):
    for fig in figures(board_for()):
        assert fig.rows, fig.key
        assert all(len(row) == len(fig.columns) for row in fig.rows), fig.key


def test_every_attempt_carries_its_submissions_teacher_and_badge(district):
    from milepost.evidence.models import Attempt, Submission

    pairs = db.session.execute(select(Attempt, Submission)
                               .join(Submission, Submission.id == Attempt.submission_id)).all()
    assert len(pairs) >= 6  # t1's resubmission made a second attempt
    assert all((a.user_id, a.badge_id) == (s.user_id, s.badge_id) for a, s in pairs)


def test_both_ways_of_counting_activity_agree(district):
    """The district's months are counted over index ranges, a set of people's by one pass grouped by month:
    with every school in scope they describe the same people, so they must give the same numbers, on a period
    that starts and ends mid-month too."""
    from milepost.accounts.models import School

    everywhere = frozenset(db.session.scalars(select(School.id)))
    for start, end in ((date(2025, 8, 1), date(2026, 7, 31)), (date(2025, 9, 3), date(2025, 11, 4)),
                       (date(2025, 11, 5), date(2025, 11, 5))):
        district_wide = services.dashboard(db.session, services.Filters(start=start, end=end), now=NOW)
        by_people = services.dashboard(db.session, services.Filters(start=start, end=end, schools=everywhere), now=NOW)
        for figure in ("active_earners", "started", "submitted", "awarded"):
            assert getattr(district_wide, figure) == getattr(by_people, figure), (start, end, figure)
    mid = services.dashboard(db.session, services.Filters(start=date(2025, 9, 3), end=date(2025, 11, 4)), now=NOW)
    assert mid.started == {"2025-09": 1} and mid.submitted == {"2025-09": 1, "2025-10": 1, "2025-11": 1}


def test_the_district_backlog_read_by_position_agrees_with_ranking_every_visit(district):
    """Whole-district waiting times come from positions in the index of open visits; with any filter they come
    from ranking the visits. Both must give the same spread, ties and odd and even sizes included."""
    from datetime import timedelta

    from sqlalchemy import literal

    from milepost.core.model import UTCDateTime
    from milepost.reviews.models import StageVisit

    sub = district.subs["s3"]
    for n in range(1, 14):
        kind = ("peer", "district")[n % 2]
        for i in range(n):
            db.session.add(StageVisit(submission_id=sub.id, attempt_number=1, position=9, kind=kind,
                                      entered_at=NOW - timedelta(days=(i * 5 % 7) + n, hours=i % 3)))
        db.session.flush()
        fast = {}
        for _measure, kind_, size, rank, days in _district_backlog(db.session, literal(NOW, UTCDateTime())):
            fast.setdefault(kind_, {})[rank] = (size, days)
        waiting = (select(StageVisit.kind.label("kind"),
                          days_between(db.session, StageVisit.entered_at, literal(NOW, UTCDateTime()))
                          .label("days")).where(StageVisit.left_at.is_(None)))
        ranked = {}
        for _measure, kind_, size, rank, days in db.session.execute(_ranked(waiting, "wait")).all():
            ranked.setdefault(kind_, {})[rank] = (size, days)
        assert fast.keys() == ranked.keys()
        for kind_ in fast:
            assert {r: (s, pytest.approx(d)) for r, (s, d) in fast[kind_].items()} == ranked[kind_], (n, kind_)
        db.session.rollback()
