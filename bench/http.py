"""The app under gunicorn on 127.0.0.1, loaded with wrk: requests per second and p50/p99 latency of
key pages beside a hello-world route and a plain 50-row page served by the same server in the same
run, so every figure is also a ratio that holds on a noisy machine. Two server set-ups: 2 sync
workers, then 2 workers x 4 threads (gthread). Writes bench/results/http.md and http.json.

    python -m bench.http [--scale large] [--duration 10] [--connections 8]

Targets: the public award page and the assertion JSON reach at least half the requests per
second of the plain 50-row page, the teacher dashboard at least a third. Needs wrk (Debian package)
and gunicorn (pip); skipped with a message when either is missing. Traffic goes to 127.0.0.1 only,
for a bounded time."""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench import _district

TARGETS = {"award": 0.5, "assertion": 0.5, "dashboard": 1 / 3}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_path() -> str | None:
    beside = Path(sys.executable).with_name("gunicorn")
    return str(beside) if beside.exists() else shutil.which("gunicorn")


def wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:  # nosec B310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def parse_wrk(output: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def latency(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": round(rps, 1), "p50_ms": round(latency("50"), 2), "p99_ms": round(latency("99"), 2),
            "non_2xx": int(errors.group(1)) if errors else 0}


def run_wrk(url: str, cookie: str | None, duration: int, connections: int) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: session={cookie}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True,
                            timeout=duration + 30).stdout
    return parse_wrk(output)


def targets(scale: int) -> tuple[list[tuple[str, str, str, str | None]], dict]:
    """(key, label, path, who) for each loaded URL, and the session cookies of the people."""
    from flask import url_for

    app = _district.make_app(scale, SERVER_NAME="127.0.0.1:5000")
    with app.app_context():
        cast = _district.cast(scale)
        cookies = {"teacher": _district.session_cookie(app, cast.teacher)}
        endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}

        def path(endpoint, **values):
            return url_for(endpoint, **values, _external=False) if endpoint in endpoints else None

        rows = [("hello", "Hello world (reference)", "/_bench/hello", None),
                ("rows", "Plain 50-row page (reference)", "/_bench/rows", None),
                ("catalogue", "Catalogue", path("badges.catalogue"), "teacher"),
                ("dashboard", "Teacher dashboard (/my/badges)", path("evidence.dashboard"), "teacher"),
                ("leaderboard", "Leaderboard", path("points.leaderboard"), "teacher")]
        if cast.award_public_id:
            rows += [("award", "Public award page", path("credentials.award_page", public_id=cast.award_public_id),
                      None),
                     ("assertion", "Open Badges 2.0 assertion",
                      path("credentials.ob2_assertion", public_id=cast.award_public_id), None)]
    return [r for r in rows if r[2]], cookies


def serve(scale: int, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = dict(os.environ)
    config = _district.settings(scale)
    env.update({"MILEPOST_DATABASE_URL": config["DATABASE_URL"], "MILEPOST_SECRET_KEY": config["SECRET_KEY"],
                "MILEPOST_BENCH_ROUTES": "1", "MILEPOST_RATELIMIT_ENABLED": "false",
                "MILEPOST_UPLOAD_PATH": config["UPLOAD_PATH"], "MILEPOST_OUTBOX_PATH": config["OUTBOX_PATH"],
                "MILEPOST_INSTANCE_PATH": str(_district.OUT / "instance"), "MILEPOST_BASE_URL": f"http://127.0.0.1:{port}"})
    command = [gunicorn_path(), "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning",
               "--access-logfile", "/dev/null"]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    return subprocess.Popen(command + ["milepost.wsgi:app"], env=env, cwd=str(_district.ROOT),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def markdown(runs: list[dict], scale: int, duration: int, connections: int, verdict: dict) -> str:
    from bench.pages import machine

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"# HTTP benchmark ({_district.backend()}, {_district.scale_label(scale)})", "",
             f"{when}; {machine()}. gunicorn on 127.0.0.1, wrk -t2 -c{connections} for {duration} s per URL "
             "(wrk shares the 2 cores with the server: read the ratios to the plain 50-row page).", ""]
    for run in runs:
        lines += [f"## {run['setup']}", "", "| URL | requests/s | p50 ms | p99 ms | × 50-row page | target | met |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        base = next(r["rps"] for r in run["results"] if r["key"] == "rows")
        for r in run["results"]:
            target = TARGETS.get(r["key"])
            ratio = r["rps"] / base if base else 0
            met = "-" if target is None else ("yes" if ratio >= target else "no")
            lines.append(f"| {r['label']} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {ratio:.2f} | "
                         f"{f'≥ {target:.2f}' if target else '-'} | {met} |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="large", help="demo, large or a number of teachers")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL (at most 60)")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args(argv)
    missing = [name for name, found in (("wrk", shutil.which("wrk")), ("gunicorn", gunicorn_path())) if not found]
    if missing:
        print(f"HTTP benchmark skipped: {' and '.join(missing)} not installed "
              "(apt-get install wrk; pip install gunicorn, or `make bench` as root).")
        return 0
    duration = max(1, min(args.duration, 60))
    scale = _district.parse_sizes(args.scale)[0]
    _district.ensure(scale)
    rows, cookies = targets(scale)
    runs, verdict = [], {}
    for setup, workers, threads in (("2 sync workers", 2, 1), ("2 workers x 4 threads (gthread)", 2, 4)):
        port = free_port()
        server = serve(scale, port, workers, threads)
        try:
            wait_ready(port)
            results = []
            for key, label, path, who in rows:
                url = f"http://127.0.0.1:{port}{path}"
                run_wrk(url, cookies.get(who), 1, args.connections)  # warm every worker
                result = run_wrk(url, cookies.get(who), duration, args.connections)
                results.append({"key": key, "label": label, "path": path, **result})
                print(f"{setup}: {label}: {result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, "
                      f"p99 {result['p99_ms']:.1f} ms", file=sys.stderr)
            base = next(r["rps"] for r in results if r["key"] == "rows")
            for r in results:
                r["ratio_to_rows"] = round(r["rps"] / base, 3) if base else None
                if r["key"] in TARGETS:
                    verdict[f"{setup}: {r['key']}"] = r["ratio_to_rows"] >= TARGETS[r["key"]]
            runs.append({"setup": setup, "workers": workers, "threads": threads, "results": results})
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    text = markdown(runs, scale, duration, args.connections, verdict)
    _district.RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if _district.backend() == "sqlite" else "-postgresql"
    (_district.RESULTS / f"http{suffix}.md").write_text(text)
    (_district.RESULTS / f"http{suffix}.json").write_text(json.dumps(
        {"backend": _district.backend(), "scale": scale, "duration": duration, "connections": args.connections,
         "when": datetime.now(UTC).isoformat(), "runs": runs, "verdict": verdict}, indent=2) + "\n")
    print(text)
    print("PASS" if all(verdict.values()) else "FAIL (see the 'met' column)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
