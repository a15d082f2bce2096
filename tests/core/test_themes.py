import logging
import shutil
from pathlib import Path

import pytest

from milepost.core.themes import CONTRAST_PAIRS, contrast_ratio, load_theme

THEMES = Path(__file__).resolve().parents[2] / "themes"


def test_contrast_ratio_matches_the_wcag_formula():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("name", sorted(p.name for p in THEMES.iterdir() if (p / "theme.toml").exists()))
def test_every_shipped_theme_has_enough_contrast(name):
    theme = load_theme(THEMES, name)
    assert theme.name == name
    for fg, bg, needed in CONTRAST_PAIRS:
        ratio = contrast_ratio(theme.colours[fg], theme.colours[bg])
        assert ratio >= needed, f"{name}: {fg} on {bg} is {ratio:.2f}:1"


def make_theme(tmp_path, name, toml):
    shutil.copytree(THEMES / "default", tmp_path / "default")
    folder = tmp_path / name
    (folder / "templates" / "partials").mkdir(parents=True)
    (folder / "theme.toml").write_text(toml)
    return folder


def test_a_district_theme_overrides_templates_and_settings(app_factory, tmp_path):
    folder = make_theme(tmp_path, "hillcrest", 'display_name = "Hillcrest Academy"\n[colours]\nprimary = "#123456"\n')
    (folder / "templates" / "partials" / "footer.html").write_text("<footer>Hillcrest footer</footer>")
    app = app_factory(THEMES_PATH=str(tmp_path), THEME="hillcrest")
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "Sign in to Hillcrest Academy" in page and "Hillcrest footer" in page
    css = app.test_client().get("/theme.css").get_data(as_text=True)
    assert "--mp-primary: #123456;" in css and "--mp-text: #1b1f24;" in css  # rest from the default


def test_a_missing_theme_falls_back_to_the_default_with_a_warning(app_factory, caplog):
    with caplog.at_level(logging.WARNING):
        app = app_factory(THEME="no-such-district")
    assert app.test_client().get("/login").status_code == 200
    assert "theme 'no-such-district' not found" in caplog.text


def test_a_broken_theme_falls_back_to_the_default_with_a_warning(app_factory, tmp_path, caplog):
    make_theme(tmp_path, "broken", 'display_name = "Broken\n[colours\n')
    with caplog.at_level(logging.WARNING):
        app = app_factory(THEMES_PATH=str(tmp_path), THEME="broken")
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "Sign in to Milepost" in page
    assert "theme 'broken' is broken" in caplog.text


def test_a_theme_with_a_bad_colour_falls_back(app_factory, tmp_path, caplog):
    make_theme(tmp_path, "pinkish", '[colours]\nprimary = "pink"\n')
    with caplog.at_level(logging.WARNING):
        app = app_factory(THEMES_PATH=str(tmp_path), THEME="pinkish")
    assert app.extensions["milepost_theme"].name == "default"
    assert "must look like #1a2b3c" in caplog.text


def test_static_files_come_from_the_theme_then_the_default(client):
    assert client.get("/static/css/milepost.css").status_code == 200
    assert client.get("/static/../theme.toml").status_code == 404
    assert client.get("/static/nope.css").status_code == 404
