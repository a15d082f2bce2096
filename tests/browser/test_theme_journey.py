"""Journey 4: the site admin switches the running site from the default theme to the example
district's (riverbend) on the site settings page; from then on every page, for every role and for
people who are not signed in, shows the district's name, logo and colours."""
import re

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import PHONE, assert_accessible, sign_in, sign_out

pytestmark = pytest.mark.browser

# themes/riverbend/theme.toml and themes/default/theme.toml, as the browser computes them
RIVERBEND = {"name": "Riverbend Learning Academy", "logo": "img/riverbend-logo.svg", "primary": "rgb(11, 93, 75)",
             "background": "rgb(255, 253, 248)", "footer": "Riverbend Unified School District"}
DEFAULT = {"name": "Milepost", "logo": "img/logo.svg", "primary": "rgb(31, 78, 121)",
           "background": "rgb(255, 255, 255)", "footer": "micro-credentials for educator professional learning"}


@pytest.fixture
def live_settings():
    return {"THEME": "default"}


def assert_branded(page, theme: dict, label: str) -> None:
    banner = page.get_by_role("banner")
    brand = banner.get_by_role("link", name=theme["name"], exact=True)
    expect(brand).to_be_visible()
    logo = brand.locator("img")
    expect(logo).to_have_attribute("src", re.compile(r"/static/" + re.escape(theme["logo"]) + r"(\?|$)"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=logo.element_handle())
    expect(banner).to_have_css("background-color", theme["primary"])
    expect(page.locator("body")).to_have_css("background-color", theme["background"])
    expect(page.get_by_role("contentinfo")).to_contain_text(theme["footer"])
    expect(page).to_have_title(re.compile(re.escape(theme["name"]) + "$"))
    buttons = page.get_by_role("main").locator(".button:not(.secondary)")
    if buttons.count():
        expect(buttons.first).to_have_css("background-color", theme["primary"])
    assert_accessible(page, label)


def visit(page, nav_label: str, theme: dict) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=nav_label, exact=True).click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name=nav_label, exact=True)) \
        .to_have_attribute("aria-current", "page")
    assert_branded(page, theme, nav_label)


def test_the_site_admin_switches_to_the_district_theme(open_page, live_app, demo):
    admin = open_page()
    admin.goto("/login")
    assert_branded(admin, DEFAULT, "sign-in page, default theme")
    sign_in(admin, "priya.raman@riverbend.example", demo["password"])
    assert_branded(admin, DEFAULT, "home, default theme")

    admin.get_by_role("link", name="Site settings").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Site settings")
    assert_accessible(admin, "site settings")
    expect(admin.get_by_role("radio", name=re.compile("^Milepost"))).to_be_checked()
    admin.get_by_role("radio", name=re.compile("^Riverbend Learning Academy")).check()
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("status").first).to_contain_text(
        "Riverbend Learning Academy is now the theme for everyone")
    expect(admin.get_by_role("radio", name=re.compile("^Riverbend Learning Academy"))).to_be_checked()
    assert_branded(admin, RIVERBEND, "site settings, riverbend")

    for label in ("Home", "Catalogue", "My badges", "Surveys", "Points", "Authoring", "People"):
        visit(admin, label, RIVERBEND)
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Catalogue").click()
    admin.get_by_role("main").locator(".badge-cards").get_by_role("link").first.click()
    assert_branded(admin, RIVERBEND, "a badge page")

    # A teacher on a phone sees the district's theme from the sign-in page on.
    teacher = open_page(PHONE)
    teacher.goto("/login")
    assert_branded(teacher, RIVERBEND, "sign-in page, riverbend")
    sign_in(teacher, "alicia.chen@riverbend.example", demo["password"])
    expect(teacher.get_by_role("main")).to_contain_text("Grow your practice. Earn recognition.")  # the tagline
    assert_branded(teacher, RIVERBEND, "teacher home")
    for label in ("Catalogue", "My badges", "Surveys", "Points"):
        visit(teacher, label, RIVERBEND)
    sign_out(teacher)
    assert_branded(teacher, RIVERBEND, "signed out")

    # The choice is kept: the theme's stylesheet itself now serves the district's colours.
    css = admin.request.get("/theme.css").text()
    assert "--mp-primary: #0b5d4b;" in css
