"""A live Milepost on a free local port and Debian's chromium driven by Playwright.

Without chromium (or Playwright) the browser journeys are skipped and the run's summary says why.
With MILEPOST_REQUIRE_BROWSER=1 (CI sets it in .ci/run) a missing browser fails them instead, so a
CI box that lost its browser cannot pass by skipping. When a journey fails, a full-page screenshot
of every page it had open is saved under $MILEPOST_ARTIFACTS (default: test-artifacts/)."""
from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from milepost.extensions import db
from tests.conftest import make_test_app

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


try:
    import playwright.sync_api  # noqa: F401 - the journey modules import it at the top
except ImportError:
    if browser_required():
        raise
    # Without Playwright the journey modules cannot even be imported: leave them out, and say so.
    collect_ignore_glob = ["test_*journey*.py"]
    _skipped.append("Browser journeys skipped: playwright is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Debian's chromium is not installed at {CHROMIUM} "
                     "(make test installs it when run as root: apt-get install chromium)")
    try:
        from playwright import sync_api
        import axe_playwright_python  # noqa: F401 - assert_accessible needs it
    except ImportError as exc:
        _unavailable(f"{exc.name} is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        except Exception as exc:  # noqa: BLE001 - any launch failure means no browser here
            _unavailable(f"chromium at {CHROMIUM} did not start: {str(exc).splitlines()[0]}")
        yield chromium
        chromium.close()


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.write_line(_skipped[0] + ".", yellow=True)


@pytest.fixture
def live_settings():
    """Override in a test module to change the live app's settings: return a dict."""
    return {}


@pytest.fixture
def live_app(tmp_path, monkeypatch, live_settings):
    monkeypatch.setenv("MILEPOST_INSTANCE_PATH", str(tmp_path / "instance"))
    settings = {"WTF_CSRF_ENABLED": True, "SERVER_NAME": None, "THEME": "riverbend", **live_settings}
    app = make_test_app(tmp_path, f"sqlite:///{tmp_path / 'live.db'}", **settings)
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.live_url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = app.live_url
    yield app
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def open_page(browser, live_app, request):
    """open_page() -> a page in a fresh browser context (its own cookies) on the live app: one person's
    device, a desktop window unless viewport=PHONE. If the test fails, every page opened this way is
    saved as a full-page screenshot."""
    contexts = []

    def make(viewport: dict = DESKTOP):
        context = browser.new_context(base_url=live_app.live_url, viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10000)
        return page

    yield make
    failed = any(getattr(getattr(request.node, f"report_{when}", None), "failed", False) for when in ("setup", "call"))
    if failed:
        save_screenshots(request.node.nodeid, [p for c in contexts for p in c.pages])
    for context in contexts:
        context.close()


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


@pytest.fixture
def page(open_page):
    return open_page()


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


@pytest.fixture
def demo(live_app):
    """The demo district seeded into the live app; what seed() answers (the demo password under "password")."""
    from milepost.demo import seed

    with live_app.app_context():
        logins = seed(db.session)
        db.session.commit()
    return logins


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
