"""Browser helpers: where chromium is, window sizes, screenshots, the accessibility check, signing in and out."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("MILEPOST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TEACHER_PASSWORD = "correct horse battery"
DESKTOP = {"width": 1100, "height": 800}
PHONE = {"width": 390, "height": 844}  # teachers gather evidence on their phones
_skipped: list[str] = []


def browser_required() -> bool:
    return os.environ.get("MILEPOST_REQUIRE_BROWSER", "").strip().lower() not in ("", "0", "false", "no")


def artifacts_dir() -> Path:
    return Path(os.environ.get("MILEPOST_ARTIFACTS") or ROOT / "test-artifacts")


def _unavailable(reason: str):
    if browser_required():
        pytest.fail(f"Browser journeys cannot run: {reason}. MILEPOST_REQUIRE_BROWSER is set, so they must "
                    "run here.", pytrace=False)
    _skipped.append(f"Browser journeys skipped: {reason}")
    pytest.skip(_skipped[-1])


def save_screenshots(nodeid: str, pages) -> None:
    folder = artifacts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")
    for n, page in enumerate(pages, start=1):
        path = folder / f"{stem}-{n}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception as exc:  # noqa: BLE001 - a crashed page must not hide the test's own failure
            print(f"could not save a screenshot of {page.url}: {exc}")
        else:
            print(f"screenshot of {page.url} saved to {path}")


def assert_accessible(page, label: str = "") -> None:
    """axe-core on the page as it is now: no serious or critical violations; and the page fits the
    window's width (WCAG reflow: nothing but a wide table may need scrolling sideways)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    details = [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}" for v in bad]
    assert not bad, f"{label or page.url}: " + "; ".join(details)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, \
        f"{label or page.url}: the page scrolls sideways by {overflow}px: {page.evaluate(STICKING_OUT)}"


STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth, out = [];
  const clipped = el => { for (let p = el.parentElement; p; p = p.parentElement) {
    if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1) out.push((clipped(el) ? 'in a scrolling box: ' : '') + el.outerHTML.slice(0, 120));
  }
  const outside = out.filter(s => !s.startsWith('in a scrolling box'));
  return (outside.length ? outside : out).slice(-3);
}"""


def fill_sign_in(page, email: str, password: str) -> None:
    """Fill in and send the sign-in form, whatever the answer."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page, email: str, password: str = TEACHER_PASSWORD) -> None:
    fill_sign_in(page, email, password)
    from playwright.sync_api import expect
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page) -> None:
    from playwright.sync_api import expect
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out")
