"""The app as a whole: health, errors, CSRF, headers, and that every view declares who may use it."""
import pytest
from sqlalchemy import text

from milepost.extensions import db
from tests.helpers.app import PASSWORD


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == "ok"


def test_healthz_says_503_when_the_database_is_gone(app_factory, tmp_path):
    app = app_factory(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"


def test_every_view_declares_who_may_use_it(app):
    undeclared = [name for name, view in app.view_functions.items() if not hasattr(view, "milepost_access")]
    assert undeclared == []


def test_unknown_pages_get_the_themed_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "We could not find that page" in page and 'id="main"' in page


def test_json_clients_get_json_errors(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


def test_a_server_error_shows_no_internals(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    boom.milepost_access = "public"
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Something went wrong on our side" in response.get_data(as_text=True)


@pytest.mark.parametrize("status", [400, 403, 404, 409, 413, 500])
def test_each_error_page_is_in_the_theme(app, client, status):
    from flask import abort

    @app.get(f"/fail{status}")
    def fail():
        abort(status)

    fail.milepost_access = "public"
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get(f"/fail{status}")
    assert response.status_code == status
    assert 'class="skip-link"' in response.get_data(as_text=True)


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True, "MAX_FILE_MB": 1}


def test_a_form_posted_without_a_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Your form expired or did not come from this site" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in


def test_sign_out_without_a_token_is_refused(client):
    assert client.post("/logout").status_code == 400


def test_a_form_with_its_token_works(client, make_user):
    user = make_user()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_a_too_large_request_gets_413_with_the_limit(client):
    big = {"file": (__import__("io").BytesIO(b"x" * (4 * 1024 * 1024)), "big.csv")}
    response = client.post("/login", data=big, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Files up to 1 MB" in response.get_data(as_text=True)


def test_pages_carry_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_sqlite_runs_with_foreign_keys_and_wal(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_a_secret_key_is_made_once_and_kept(app_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("MILEPOST_INSTANCE_PATH", str(tmp_path / "kept"))
    first = app_factory(SECRET_KEY=None)
    second = app_factory(SECRET_KEY=None)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) > 40
    assert (tmp_path / "kept" / "secret_key").stat().st_mode & 0o077 == 0
