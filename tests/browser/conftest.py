"""A live Milepost on a free local port and Debian's chromium driven by Playwright.

Without chromium (or Playwright) the browser journeys are skipped and the run's summary says why.
With MILEPOST_REQUIRE_BROWSER=1 (CI sets it in .ci/run) a missing browser fails them instead, so a
CI box that lost its browser cannot pass by skipping. When a journey fails, a full-page screenshot
of every page it had open is saved under $MILEPOST_ARTIFACTS (default: test-artifacts/). The helpers
(window sizes, assert_accessible, sign_in, ...) are in tests/helpers/browser.py."""
from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

from milepost.extensions import db
from tests.helpers.app import make_test_app
from tests.helpers.browser import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    DESKTOP,
    _skipped,
    _unavailable,
    browser_required,
    save_screenshots,
)

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
        import axe_playwright_python  # noqa: F401 - assert_accessible needs it
        from playwright import sync_api
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


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture
def demo(live_app):
    """The demo district seeded into the live app; what seed() answers (the demo password under "password")."""
    from milepost.demo import seed

    with live_app.app_context():
        logins = seed(db.session)
        db.session.commit()
    return logins
