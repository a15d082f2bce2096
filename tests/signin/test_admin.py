"""The site admin's district sign-in pages: providers, presets, the password switch, break-glass."""
import pytest
from sqlalchemy import select

from milepost.core.audit import AuditEvent
from milepost.extensions import db
from milepost.signin.models import SignInProvider
from tests.helpers.app import PASSWORD, login
from tests.helpers.signin import signed_in_user_name, sso_sign_in

PAGES = ["/admin/sign-in/", "/admin/sign-in/providers/new", "/admin/sign-in/two-factor"]

GOOGLE = {"kind": "google", "name": "Google", "issuer": "https://accounts.google.com",
          "client_id": "1234.apps.googleusercontent.com", "client_secret": "GOCSPX-very-secret-value-9876",
          "allowed_domains": "riverbend.k12.example\n@RIVERBEND.example", "create_accounts": "y", "enabled": "y"}


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize("role", ["teacher", "coach", "leader"])
def test_sign_in_settings_are_refused_to_other_roles(as_role, role):
    client = as_role(role)
    for page in PAGES:
        assert client.get(page).status_code == 403
    assert client.post("/admin/sign-in/passwords", data={}).status_code == 403


def test_sign_in_settings_are_refused_to_the_pd_office_and_anonymous_visitors(staff_client, client):
    pd = staff_client("pd_admin")
    for page in PAGES:
        assert pd.get(page).status_code == 403
        assert client.get(page).headers["Location"].startswith("/login")


def test_presets_fill_in_google_and_microsoft(staff_client):
    admin = staff_client("site_admin")
    google = admin.get("/admin/sign-in/providers/new?kind=google").get_data(as_text=True)
    assert 'value="https://accounts.google.com"' in google and 'value="Google"' in google
    microsoft = admin.get("/admin/sign-in/providers/new?kind=microsoft").get_data(as_text=True)
    assert 'value="https://login.microsoftonline.com/{tenant}/v2.0"' in microsoft
    response = admin.post("/admin/sign-in/providers/new", data={
        **GOOGLE, "kind": "microsoft", "name": "Microsoft", "issuer": "https://login.microsoftonline.com/{tenant}/v2.0"})
    assert response.status_code == 400
    assert "Replace {tenant} with your directory (tenant) ID" in response.get_data(as_text=True)
    response = admin.post("/admin/sign-in/providers/new", data={
        **GOOGLE, "kind": "microsoft", "name": "Microsoft", "issuer": "https://login.microsoftonline.com/common/v2.0"})
    assert "not common" in response.get_data(as_text=True)
    response = admin.post("/admin/sign-in/providers/new", data={
        **GOOGLE, "kind": "microsoft", "name": "Microsoft",
        "issuer": "https://login.microsoftonline.com/8f2e6a51-0c1d-4c5e-9d0e-2b7c3f4a5d6e/v2.0"})
    assert response.status_code == 302
    assert db.session.scalar(select(SignInProvider)).slug == "microsoft"


def test_a_provider_is_saved_with_its_secret_never_shown_back_and_changes_are_audited(staff_client):
    admin = staff_client("site_admin")
    response = admin.post("/admin/sign-in/providers/new", data=GOOGLE)
    assert response.status_code == 302
    provider = db.session.scalar(select(SignInProvider))
    assert provider.slug == "google" and provider.domains == ["riverbend.example", "riverbend.k12.example"]
    assert provider.client_secret == GOOGLE["client_secret"]

    page = admin.get(f"/admin/sign-in/providers/{provider.id}").get_data(as_text=True)
    assert GOOGLE["client_secret"] not in page and "GOCSPX" not in page
    assert "set, ending in …9876" in page
    assert "http://milepost.test/signin/google/callback" in page

    # An empty secret keeps the stored one.
    response = admin.post(f"/admin/sign-in/providers/{provider.id}", data={**GOOGLE, "client_secret": "",
                                                                          "name": "Google Workspace"})
    assert response.status_code == 302
    db.session.refresh(provider)
    assert provider.client_secret == GOOGLE["client_secret"] and provider.name == "Google Workspace"

    created, updated = _events("signin.provider_created"), _events("signin.provider_updated")
    assert len(created) == 1 and created[0].actor_id == admin.user.id
    assert updated[0].detail["changed"] == ["name"] and updated[0].detail["secret_changed"] is False
    assert GOOGLE["client_secret"] not in str([e.detail for e in created + updated])

    admin.post(f"/admin/sign-in/providers/{provider.id}/delete")
    assert db.session.scalar(select(SignInProvider)) is None
    assert len(_events("signin.provider_deleted")) == 1


def test_bad_provider_settings_get_plain_messages(staff_client):
    admin = staff_client("site_admin")
    response = admin.post("/admin/sign-in/providers/new", data={**GOOGLE, "issuer": "http://accounts.example"})
    assert "must be an https:// address" in response.get_data(as_text=True)
    response = admin.post("/admin/sign-in/providers/new", data={**GOOGLE, "allowed_domains": "not a domain!"})
    assert "do not look like email domains" in response.get_data(as_text=True)
    response = admin.post("/admin/sign-in/providers/new", data={**GOOGLE, "client_secret": ""})
    assert "Please give the client secret" in response.get_data(as_text=True)
    assert db.session.scalar(select(SignInProvider)) is None


def test_the_check_button_reads_the_discovery_document(staff_client, district):
    admin = staff_client("site_admin")
    page = admin.post(f"/admin/sign-in/providers/{district.id}/check", follow_redirects=True).get_data(as_text=True)
    assert "District answered" in page


def test_passwords_can_be_switched_off_except_for_break_glass_site_admins(app, staff_client, make_user, district,
                                                                          oidc_provider):
    admin = staff_client("site_admin", name="Break Glass")
    teacher = make_user("teacher", email="teacher@district.example", name="Tess Teacher")

    # Not before someone could still get in.
    response = admin.post("/admin/sign-in/passwords", data={})
    assert response.status_code == 409
    assert "Choose at least one break-glass site administrator" in response.get_data(as_text=True)

    assert admin.post("/admin/sign-in/break-glass", data={"user_id": admin.user.id}).status_code == 302
    assert admin.post("/admin/sign-in/passwords", data={}).status_code == 302
    assert [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("signin.%"))
                                                 .order_by(AuditEvent.id))][-2:] == [
        "signin.break_glass_granted", "signin.local_passwords_off"]

    login_page = app.test_client().get("/login").get_data(as_text=True)
    assert "Passwords are switched off in this district" in login_page

    # A teacher's right password gets the same answer as a wrong one, pointing at the button.
    other = app.test_client()
    right = login(other, teacher.email)
    wrong = login(other, teacher.email, "not the password")
    assert right.status_code == wrong.status_code == 400
    assert "Passwords are switched off here" in right.get_data(as_text=True)
    assert signed_in_user_name(other) is None
    # ... who signs in with the district account instead.
    assert sso_sign_in(other, oidc_provider.add_account(teacher.email)).status_code == 302
    assert signed_in_user_name(other) == "Tess Teacher"

    # The break-glass admin still can, with the second factor.
    glass = app.test_client()
    assert login(glass, admin.user.email).headers["Location"] == "/signin/two-factor"

    # A site admin who is not flagged cannot.
    plain_admin = make_user("site_admin")
    assert login(app.test_client(), plain_admin.email).status_code == 400

    # The last break-glass account cannot be removed while passwords are off.
    page = admin.post(f"/admin/sign-in/break-glass/{admin.user.id}/remove", follow_redirects=True)
    assert "This is the last break-glass account" in page.get_data(as_text=True)
    # Nor the only provider turned off.
    response = admin.post(f"/admin/sign-in/providers/{district.id}", data={
        "kind": "oidc", "name": "District", "issuer": district.issuer, "client_id": district.client_id,
        "allowed_domains": "district.example"})
    assert "This is the only sign-in provider while passwords are off" in response.get_data(as_text=True)

    assert admin.post("/admin/sign-in/passwords", data={"local_passwords": "y"}).status_code == 302
    assert login(app.test_client(), teacher.email, PASSWORD).status_code == 302


def test_only_site_admins_can_be_break_glass(staff_client, make_user):
    admin = staff_client("site_admin")
    pd = make_user("pd_admin")
    response = admin.post("/admin/sign-in/break-glass", data={"user_id": pd.id})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_site_admins_see_a_home_card(staff_client):
    page = staff_client("site_admin").get("/").get_data(as_text=True)
    assert "District sign-in" in page and "/admin/sign-in/" in page
