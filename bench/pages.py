"""Key pages and JSON documents rendered in-process through the Flask test client as the role that
uses them: median and 95th-percentile time and SQL queries per request, at the demo scale and at a
large generated district. Writes bench/results/pages.md and bench/results/pages.json.

    python -m bench.pages [--sizes demo,large] [--repeat 30] [--fresh]

Targets (large district, SQLite): at most 15 queries and the same count at both scales;
median at most 30 ms for teacher and reviewer pages, 150 ms for the district dashboard and survey results.
Pages whose route is not in this build are skipped with a note."""
from __future__ import annotations

import argparse
import json
import platform as stdlib_platform
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from bench import _district

QUERY_LIMIT = 15


@dataclass
class Page:
    key: str
    label: str
    endpoint: str
    who: str  # teacher | coach | pd_admin | leader | public
    kind: str  # teacher | reviewer | district | public: which time target applies
    values: object  # fn(cast) -> dict of URL values, or None when there is nothing to show


PAGES = [
    Page("catalogue", "Catalogue", "badges.catalogue", "teacher", "teacher", lambda c: {}),
    Page("badge", "Badge page", "badges.badge_page", "teacher", "teacher", lambda c: {"slug": c.badge_slug}),
    Page("dashboard", "Teacher dashboard (/my/badges)", "evidence.dashboard", "teacher", "teacher", lambda c: {}),
    Page("points", "Degree progress (/points)", "points.mine", "teacher", "teacher", lambda c: {}),
    Page("leaderboard", "Leaderboard", "points.leaderboard", "teacher", "teacher", lambda c: {}),
    Page("queue", "Review queue", "reviews.queue", "coach", "reviewer", lambda c: {}),
    Page("scoring", "Scoring page", "reviews.review", "coach", "reviewer",
         lambda c: {"submission_id": c.review_submission_id} if c.review_submission_id else None),
    Page("overview", "District dashboard: review overview", "reviews.overview", "pd_admin", "district", lambda c: {}),
    Page("reports", "District dashboard: reports", "reports.dashboard", "pd_admin", "district", lambda c: {}),
    Page("reports_busy_year", "District dashboard: reports, busiest full school year", "reports.dashboard", "pd_admin",
         "district", lambda c: {"year": c.busiest_year} if c.busiest_year else None),
    Page("pilot", "District dashboard: pilot", "surveys.pilot", "pd_admin", "district",
         lambda c: {"pilot_id": c.pilot_id} if c.pilot_id else None),
    Page("survey_results", "Survey results", "surveys.results", "pd_admin", "district",
         lambda c: {"survey_id": c.survey_id} if c.survey_id else None),
    Page("award", "Public award page", "credentials.award_page", "public", "public",
         lambda c: {"public_id": c.award_public_id} if c.award_public_id else None),
    Page("assertion", "Open Badges 2.0 assertion", "credentials.ob2_assertion", "public", "public",
         lambda c: {"public_id": c.award_public_id} if c.award_public_id else None),
]
TIME_TARGET_MS = {"teacher": 30, "reviewer": 30, "district": 150, "public": 30}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def measure_scale(scale: int, repeat: int, pages=PAGES) -> tuple[list[dict], list[str]]:
    from flask import url_for
    from sqlalchemy import event

    from milepost.extensions import db

    app = _district.make_app(scale, SERVER_NAME="127.0.0.1:5000")
    results, notes = [], []
    with app.app_context():
        cast = _district.cast(scale)
        people = {"teacher": cast.teacher, "coach": cast.coach, "pd_admin": cast.pd_admin, "leader": cast.leader}
        endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
        urls = []
        for page in pages:
            if page.endpoint not in endpoints:
                notes.append(f"{page.label}: no route {page.endpoint} in this build; skipped.")
                continue
            values = page.values(cast)
            if values is None:
                notes.append(f"{page.label}: nothing to show at {_district.scale_label(scale)}; skipped.")
                continue
            urls.append((page, url_for(page.endpoint, **values)))
        db.session.remove()
    clients = {}
    for who, user in people.items():
        clients[who] = app.test_client()
        _district.sign_in(clients[who], user)
    clients["public"] = app.test_client()

    counter = {"n": 0}

    with app.app_context():
        engine = db.engine

    def count(*_args):
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        for page, url in urls:
            client = clients[page.who]
            status = None
            for _ in range(2):  # warm up: templates compiled, first-visit writes (e.g. a credential's state) done
                status = client.get(url).status_code
            if status != 200:
                notes.append(f"{page.label}: {url} answered {status}; not measured.")
                continue
            times, queries = [], []
            for _ in range(repeat):
                counter["n"] = 0
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                queries.append(counter["n"])
                assert response.status_code == 200, (url, response.status_code)
            results.append({"page": page.key, "label": page.label, "url": url, "role": page.who, "kind": page.kind,
                            "scale": scale, "median_ms": round(statistics.median(times), 2),
                            "p95_ms": round(percentile(times, 0.95), 2),
                            # The count of the typical request: the site checks the theme choice every few
                            # seconds, which adds one query to whichever request comes then (queries_max).
                            "queries": statistics.mode(queries), "queries_max": max(queries),
                            "queries_min": min(queries), "bytes": len(response.data)})
    finally:
        event.remove(engine, "before_cursor_execute", count)
        with app.app_context():
            db.engine.dispose()
    return results, notes


def verdicts(results: list[dict], small: int, large: int) -> dict:
    """Per page: does it meet the query and time targets at the large scale?"""
    by = {(r["page"], r["scale"]): r for r in results}
    out = {}
    for page in {r["page"] for r in results}:
        big, little = by.get((page, large)), by.get((page, small))
        if big is None:
            continue
        same = little is not None and little["queries"] == big["queries"]
        target = TIME_TARGET_MS[big["kind"]]
        out[page] = {"queries_ok": big["queries"] <= QUERY_LIMIT and (little is None or same),
                     "same_queries": same, "time_ok": big["median_ms"] <= target, "target_ms": target}
    return out


def machine() -> str:
    import os
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {stdlib_platform.python_version()}"


def markdown(results: list[dict], notes: list[str], sizes: list[int], judged: dict) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"# In-process page benchmark ({_district.backend()})", "",
             f"{when}; {machine()}. Each page rendered through the Flask test client as its role; "
             "median and 95th percentile of the timed requests after two warm-up requests; SQL statements per request.",
             ""]
    head = "| page | role | " + " | ".join(f"{_district.scale_label(s)}: median / p95 ms, queries" for s in sizes)
    lines += [head + " | target | met |", "|" + " --- |" * (len(sizes) + 4)]
    by = {(r["page"], r["scale"]): r for r in results}
    for page in PAGES:
        if not any((page.key, s) in by for s in sizes):
            continue
        cells = []
        for s in sizes:
            r = by.get((page.key, s))
            cells.append(f"{r['median_ms']:.1f} / {r['p95_ms']:.1f}, {r['queries']}" if r else "-")
        v = judged.get(page.key)
        met = "-" if v is None else ("yes" if v["queries_ok"] and v["time_ok"] else
                                     "no: " + ", ".join(x for x, ok in (("queries", v["queries_ok"]),
                                                                           ("time", v["time_ok"])) if not ok))
        target = f"≤ {TIME_TARGET_MS[page.kind]} ms, ≤ {QUERY_LIMIT} q"
        lines.append(f"| {page.label} | {page.who} | " + " | ".join(cells) + f" | {target} | {met} |")
    notes = notes + ["The demo is read as its own people (alicia.chen, grace.okafor) and the generated district as "
                     "its first plain teacher with a public award and teacher000001 (a coach). Pages load what they "
                     "show in a fixed set of queries whatever the data's shape, so the two columns should agree; "
                     "tests/performance/test_query_counts.py reads the same people at 30 and 120 teachers and "
                     "asserts equal counts.",
                     "Queries are those of the typical request: every few seconds one request also reads the site's "
                     "theme choice (one more query), whichever page it is."]
    lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="demo,large", help="comma-separated: demo, large or a number of teachers")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="rebuild the generated districts")
    parser.add_argument("--output", default="pages", help="file name (without extension) under bench/results/")
    args = parser.parse_args(argv)
    sizes = _district.parse_sizes(args.sizes)
    results, notes = [], []
    for scale in sizes:
        built = _district.ensure(scale, fresh=args.fresh)
        if built is not None and scale:
            notes.append(f"The {_district.scale_label(scale)} district was built in {built:.0f} s for this run.")
        r, n = measure_scale(scale, args.repeat)
        results += r
        notes += [f"{_district.scale_label(scale)}: {x}" for x in n]
    judged = verdicts(results, min(sizes), max(sizes)) if len(sizes) > 1 else verdicts(results, sizes[0], sizes[0])
    text = markdown(results, notes, sizes, judged)
    _district.RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if _district.backend() == "sqlite" else "-postgresql"
    (_district.RESULTS / f"{args.output}{suffix}.md").write_text(text)
    (_district.RESULTS / f"{args.output}{suffix}.json").write_text(json.dumps(
        {"backend": _district.backend(), "machine": machine(), "when": datetime.now(UTC).isoformat(),
         "sizes": sizes, "results": results, "verdicts": judged, "notes": notes}, indent=2) + "\n")
    print(text)
    ok = all(v["queries_ok"] and v["time_ok"] for v in judged.values())
    print("PASS" if ok else "FAIL (see the 'met' column)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
