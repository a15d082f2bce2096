"""Sign-in, keyboard use and a PD admin adding a person, in a real browser."""
import pytest
from playwright.sync_api import expect

from tests.helpers.browser import assert_accessible, fill_sign_in, sign_in

pytestmark = pytest.mark.browser


def test_a_teacher_signs_in_after_a_typo(page, demo, tmp_path):
    fill_sign_in(page, "alicia.chen@riverbend.example", "wrong password")
    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")
    assert_accessible(page, "sign-in with an error")
    expect(page.get_by_label("Email")).to_have_value("alicia.chen@riverbend.example")
    page.get_by_label("Password", exact=True).fill(demo["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Alicia Chen")
    expect(page.get_by_role("banner")).to_contain_text("Riverbend Learning Academy")
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    assert_accessible(page, "home")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out")


def test_the_keyboard_reaches_the_skip_link_first_and_it_shows(page, demo):
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # moved on screen when focused
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()


def test_a_pd_admin_adds_a_person_and_fixes_a_mistake(page, demo):
    sign_in(page, "dana.whitfield@riverbend.example", demo["password"])
    page.get_by_role("link", name="People").first.click()
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Name").fill("Jordan Newhire")
    page.get_by_label("Email").fill("alicia.chen@riverbend.example")  # already taken
    page.get_by_label("Teacher", exact=True).check()
    page.get_by_role("button", name="Add the person").click()
    expect(page.get_by_role("alert")).to_contain_text("Someone already uses alicia.chen@riverbend.example")
    assert_accessible(page, "add a person, with an error")
    expect(page.get_by_label("Name")).to_have_value("Jordan Newhire")
    page.get_by_label("Email").fill("jordan.newhire@riverbend.example")
    page.get_by_role("button", name="Add the person").click()
    expect(page.get_by_role("status")).to_contain_text("Jordan Newhire is added")
    expect(page.get_by_role("table")).to_contain_text("jordan.newhire@riverbend.example")
    assert_accessible(page, "people list")
