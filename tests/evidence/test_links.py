"""Links are checked before submitting: a warning when reviewers may not be able to open them."""
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from milepost.evidence import services
from milepost.extensions import db
from tests.helpers.app import login


class Handler(BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.send_response({"/private": 403, "/gone": 404}.get(self.path, 200))
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_reachable_links_pass_and_others_get_a_warning(site):
    assert services.link_warning(f"{site}/video", mode="any") is None
    assert "asks for a sign-in or permission" in services.link_warning(f"{site}/private", mode="any")
    assert "not found" in services.link_warning(f"{site}/gone", mode="any")
    assert "could not reach" in services.link_warning("http://127.0.0.1:9/x", mode="any")


def test_the_public_mode_never_contacts_private_addresses(site):
    assert "private network" in services.link_warning(f"{site}/video", mode="public")
    assert services.link_warning(f"{site}/private", mode="off") is None


@pytest.fixture
def app_settings():
    return {"LINK_CHECK": "any"}


def test_the_check_page_warns_but_lets_the_teacher_submit(app, site, submission, teacher):
    client = app.test_client()
    login(client, teacher.email)
    client.post(f"/submissions/{submission.id}", data={"action": "save", "answer-0": "My class",
                                                        "link-1": f"{site}/private"})
    page = client.get(f"/submissions/{submission.id}/check").get_data(as_text=True)
    assert "asks for a sign-in or permission" in page
    response = client.post(f"/submissions/{submission.id}/check", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert submission.state == "submitted"
