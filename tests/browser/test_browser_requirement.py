"""Where no browser can be found the journeys are skipped with the reason in the summary; with
MILEPOST_REQUIRE_BROWSER=1 (as .ci/run sets it) the same situation fails the run instead.

These tests need no browser: they run one journey in a child pytest pointed at a chromium that
does not exist."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JOURNEY = "tests/browser/test_foundation_journeys.py::test_the_keyboard_reaches_the_skip_link_first_and_it_shows"


def run_journey_without_a_browser(tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if k != "MILEPOST_REQUIRE_BROWSER"}
    environment.update(MILEPOST_CHROMIUM=str(tmp_path / "no-such-chromium"),
                       MILEPOST_ARTIFACTS=str(tmp_path / "artifacts"), **env)
    return subprocess.run([sys.executable, "-m", "pytest", JOURNEY, "-q", "-p", "no:cacheprovider",
                           f"--basetemp={tmp_path / 'child'}"],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)


def test_without_a_browser_the_journeys_are_skipped_and_say_why(tmp_path):
    result = run_journey_without_a_browser(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "Browser journeys skipped: Debian's chromium is not installed" in result.stdout


def test_when_a_browser_is_required_its_absence_fails_the_run(tmp_path):
    result = run_journey_without_a_browser(tmp_path, MILEPOST_REQUIRE_BROWSER="1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "MILEPOST_REQUIRE_BROWSER is set, so they must run here" in result.stdout
    assert "1 error" in result.stdout and "skipped" not in result.stdout.splitlines()[-1]
    assert "Browser journeys cannot run: Debian's chromium is not installed" in result.stdout
