from milepost.accounts.models import User
from milepost.extensions import db
from tests.helpers.app import PASSWORD, login


def test_sign_in_with_the_right_password_goes_home(client, make_user):
    user = make_user("teacher", name="Alicia Chen")
    response = login(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
    page = client.get("/").get_data(as_text=True)
    assert "Welcome, Alicia Chen" in page


def test_email_case_does_not_matter(client, make_user):
    user = make_user(email="Mixed.Case@School.example")
    assert user.email == "mixed.case@school.example"
    assert login(client, "MIXED.case@school.EXAMPLE").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_message(client, make_user):
    user = make_user()
    wrong = login(client, user.email, "not the password")
    unknown = login(client, "nobody@school.example", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    message = "That email and password do not match an active account."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    # the email typed is kept, the password is not echoed back
    assert f'value="{user.email}"' in wrong.get_data(as_text=True)
    assert "not the password" not in wrong.get_data(as_text=True)


def test_deactivated_people_cannot_sign_in(client, make_user):
    user = make_user(active=False)
    response = login(client, user.email)
    assert response.status_code == 400
    assert "do not match an active account" in response.get_data(as_text=True)


def test_sign_out_needs_a_post_and_ends_the_session(client, make_user):
    user = make_user()
    login(client, user.email)
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").headers["Location"].startswith("/login")


def test_pages_ask_anonymous_visitors_to_sign_in_and_come_back(client):
    response = client.get("/admin/people?q=x")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/people?q%3Dx"


def test_next_only_follows_paths_on_this_site(client, make_user):
    user = make_user()
    response = client.post("/login?next=https://evil.example/steal",
                           data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=//evil.example", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/admin/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/admin/"


def test_password_hash_is_argon2_and_never_the_password(make_user):
    user = make_user()
    stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_sign_in_is_throttled_per_address(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        db.create_all()
    client = app.test_client()
    statuses = [client.post("/login", data={"email": "x@school.example", "password": "guess"}).status_code
                for _ in range(4)]
    assert statuses[3] == 429
    assert "Too many attempts" in client.post("/login", data={}).get_data(as_text=True)


def test_sign_in_is_throttled_per_account_from_any_address(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="100 per minute",
                      LOGIN_ACCOUNT_RATE_LIMIT="3 per minute")
    with app.app_context():
        db.create_all()
    statuses = []
    for n in range(4):
        client = app.test_client()
        statuses.append(client.post("/login", data={"email": "target@school.example", "password": "guess"},
                                    environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code)
    assert statuses == [400, 400, 400, 429]
    other = app.test_client().post("/login", data={"email": "someone.else@school.example", "password": "guess"},
                                   environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 400
