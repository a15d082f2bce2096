"""The dashboard's figures as (chart, data table, CSV) triples built from one set of rows, so the
chart, the table screen readers use and the downloaded file can never disagree."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup

from milepost.core import charts
from milepost.reports.services import DECISION, NOT_YET_FLAG_RATE, NOT_YET_MIN_DECISIONS, Dashboard, Spread
from milepost.reviews.models import STAGE_KINDS, STAGE_LABELS

NOT_YET_CHART_ROWS = 15


@dataclass
class Figure:
    key: str            # the CSV's name: /reports/figures/<key>.csv
    title: str
    columns: list[str]
    rows: list[list]    # plain values: the table shows them, the CSV writes them
    chart: Markup = field(default_factory=Markup)
    intro: str = ""
    empty: str = "Nothing in this period."
    flags: list[bool] = field(default_factory=list)  # rows to mark in the table (not-yet rate)


def month_label(month: str) -> str:
    year, number = (int(x) for x in month.split("-"))
    return date(year, number, 1).strftime("%b %Y")


def _month_axis(months: list[str]) -> list[tuple[str, str]]:
    """"Aug" under each month, with the year under the first month and each January."""
    out = []
    for i, month in enumerate(months):
        year, number = month.split("-")
        out.append((date(int(year), int(number), 1).strftime("%b"), year if i == 0 or number == "01" else ""))
    return out


def _days(value: float | None):
    return None if value is None else round(value, 1)


def _stage_label(kind: str) -> str:
    return "From sending evidence to a decision" if kind == DECISION else STAGE_LABELS.get(kind, kind)


def _stage_order(spreads: dict[str, Spread]) -> list[str]:
    return [k for k in STAGE_KINDS if k in spreads] + [k for k in spreads if k not in STAGE_KINDS]


def figures(board: Dashboard) -> list[Figure]:
    return [activity(board), by_strand(board), by_school(board), backlog(board), turnaround(board),
            not_yet(board), tiers(board), claims(board), surveys(board)]


def activity(board: Dashboard) -> Figure:
    labels = [month_label(m) for m in board.months]
    series = [("Started", [board.started.get(m, 0) for m in board.months]),
              ("Submitted", [board.submitted.get(m, 0) for m in board.months]),
              ("Awarded", [board.awarded.get(m, 0) for m in board.months])]
    rows = [[labels[i], *(values[i] for _, values in series)] for i in range(len(labels))]
    has_any = any(sum(values) for _, values in series)
    return Figure("activity", "Badges started, submitted and awarded per month", ["Month", "Started", "Submitted",
                                                                                   "Awarded"],
                  rows if has_any else [],
                  charts.column_chart(labels, series, title="Badges started, submitted and awarded per month",
                                      axis_labels=_month_axis(board.months))
                  if has_any else Markup(""),
                  intro="Submitted counts every time evidence is sent, resubmissions after “not yet” included. "
                        "Revoked awards are not counted.")


def by_strand(board: Dashboard) -> Figure:
    rows = [[name, n] for name, n in board.awards_by_strand]
    return Figure("awards-by-strand", "Awards by strand", ["Strand", "Awards"], rows,
                  charts.bar_chart([(r[0], r[1]) for r in rows], title="Awards by strand"))


def by_school(board: Dashboard) -> Figure:
    rows = [[name, n] for name, n in board.awards_by_school]
    return Figure("awards-by-school", "Awards by school", ["School", "Awards"], rows,
                  charts.bar_chart([(r[0], r[1]) for r in rows], title="Awards by school"))


def backlog(board: Dashboard) -> Figure:
    rows = [[_stage_label(k), s.n, _days(s.median), _days(s.p90), _days(s.longest)]
            for k, s in ((k, board.backlog[k]) for k in _stage_order(board.backlog))]
    return Figure("review-backlog", "Review backlog by stage",
                  ["Stage", "Waiting now", "Median wait (days)", "90th percentile wait (days)", "Longest wait (days)"],
                  rows, charts.bar_chart([(r[0], r[1]) for r in rows],
                                         title="Submissions waiting in each review stage"),
                  intro="What is waiting in review today, whatever period is chosen, and how long it has waited "
                        "in its current stage.", empty="Nothing is waiting for review.")


def turnaround(board: Dashboard) -> Figure:
    order = _stage_order({k: v for k, v in board.turnaround.items() if k != DECISION})
    if DECISION in board.turnaround:
        order.append(DECISION)
    rows = [[_stage_label(k), board.turnaround[k].n, _days(board.turnaround[k].median), _days(board.turnaround[k].p90)]
            for k in order]
    chart = charts.column_chart([r[0] for r in rows], [("Median days", [r[2] or 0 for r in rows]),
                                                       ("90th percentile days", [r[3] or 0 for r in rows])],
                                title="Review turnaround in days", over_time=False) if rows else Markup("")
    return Figure("review-turnaround", "Review turnaround", ["Step", "Finished in the period", "Median (days)",
                                                            "90th percentile (days)"], rows, chart,
                  intro="Days spent in each review stage, and from sending evidence to “meets” or “not yet”, for "
                        "what finished in the period. Skipped stages are not counted.")


def not_yet(board: Dashboard) -> Figure:
    rows = [[r.title, r.decisions, r.not_yet, round(r.rate, 1), "yes" if r.flagged else ""] for r in board.not_yet]
    chart_rows = [(r.title, round(r.rate, 1)) for r in board.not_yet[:NOT_YET_CHART_ROWS]]
    return Figure("not-yet-rate", "“Not yet” rate per badge",
                  ["Badge", "Decisions", "Not yet", "Not-yet rate (%)", "May need clearer requirements"], rows,
                  charts.bar_chart(chart_rows, title="Share of decisions that were “not yet”, per badge", unit="%",
                                   max_value=100, colour=charts.SERIES[1]),
                  intro=f"Badges returned “not yet” in at least {NOT_YET_FLAG_RATE:.0f}% of at least "
                        f"{NOT_YET_MIN_DECISIONS} decisions are marked: their requirements or rubric may need to be "
                        "clearer. The chart shows the highest rates.",
                  flags=[r.flagged for r in board.not_yet])


def tiers(board: Dashboard) -> Figure:
    rows = [[name, n] for name, n in board.tiers]
    return Figure("degree-tiers", "Degree tiers reached", ["Tier", "People who reached it in the period"], rows,
                  charts.bar_chart([(r[0], r[1]) for r in rows], title="Degree tiers reached in the period")
                  if any(n for _, n in board.tiers) else Markup(""),
                  empty="The PD office has not set up degree tiers.")


def claims(board: Dashboard) -> Figure:
    rows = [[name, n, since.date().isoformat()] for name, n, since in board.claims]
    return Figure("reward-claims", "Reward claims waiting", ["Reward", "Claims waiting", "Oldest claim"], rows,
                  charts.bar_chart([(r[0], r[1]) for r in rows], title="Reward claims waiting to be fulfilled"),
                  intro="Claims the PD office has not fulfilled yet, today, whatever period is chosen.",
                  empty="No reward claims are waiting.")


def surveys(board: Dashboard) -> Figure:
    rows = [[s.title, s.opens_at.date().isoformat(), s.closes_at.date().isoformat(), s.answered, s.audience,
             round(s.rate, 1)] for s in board.surveys]
    return Figure("survey-response", "Survey response rates",
                  ["Survey", "Opens", "Closes", "Answered", "Audience", "Response rate (%)"], rows,
                  charts.bar_chart([(r[0], r[5]) for r in rows], title="Survey response rates", unit="%",
                                   max_value=100),
                  intro="Published surveys open during the period (the latest twelve): people who submitted "
                        "answers out of the people the survey is for.",
                  empty="No survey was open in this period.")
