"""The site admin switches the theme while the app runs; every page follows."""
from milepost.core.settings import SiteSetting
from milepost.extensions import db


def test_the_site_admin_switches_the_district_theme(app, as_role):
    admin = as_role("site_admin")
    page = admin.get("/admin/site").get_data(as_text=True)
    assert "Riverbend Learning Academy" in page and "Milepost" in page
    assert "Sign in to Milepost" in app.test_client().get("/login").get_data(as_text=True)
    response = admin.post("/admin/site", data={"theme": "riverbend"})
    assert response.status_code == 302
    assert db.session.get(SiteSetting, "theme").value == "riverbend"
    login_page = app.test_client().get("/login").get_data(as_text=True)
    assert "Sign in to Riverbend Learning Academy" in login_page
    assert "pd@riverbend.example" in login_page  # the district's own footer template
    assert "/theme.css?t=riverbend" in login_page
    css = app.test_client().get("/theme.css?t=riverbend").get_data(as_text=True)
    assert "--mp-primary: #0b5d4b;" in css


def test_another_worker_follows_the_choice_from_the_database(app, as_role):
    from milepost.core.settings import set_setting

    set_setting(db.session, "theme", "riverbend")
    db.session.commit()
    themes = app.extensions["milepost_themes"]
    themes.checked_at = 0  # as if the refresh interval had passed
    assert "Riverbend Learning Academy" in app.test_client().get("/login").get_data(as_text=True)


def test_an_unknown_theme_is_refused_and_only_site_admins_may_choose(app, as_role):
    admin = as_role("site_admin")
    response = admin.post("/admin/site", data={"theme": "../../etc"}, follow_redirects=True)
    assert "Choose one of the themes listed" in response.get_data(as_text=True)
    assert db.session.get(SiteSetting, "theme") is None
    assert as_role("pd_admin").get("/admin/site").status_code == 403
    assert as_role("pd_admin").post("/admin/site", data={"theme": "riverbend"}).status_code == 403
