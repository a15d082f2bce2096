"""Themes: a district folder overrides any template or static file of themes/default by the
same relative path, and sets its name, logo, colours and footer in theme.toml."""
from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, send_from_directory
from jinja2 import ChoiceLoader, FileSystemLoader

from milepost.core.access import public

log = logging.getLogger(__name__)

DEFAULT = "default"
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
# Pairs of (foreground, background) colour names and the contrast each must reach (WCAG 2.x).
CONTRAST_PAIRS = [
    ("text", "background", 4.5),
    ("text", "surface", 4.5),
    ("muted", "background", 4.5),
    ("muted", "surface", 4.5),
    ("link", "background", 4.5),
    ("link", "surface", 4.5),
    ("on_primary", "primary", 4.5),
    ("on_accent", "accent", 4.5),
    ("danger", "background", 4.5),
    ("success", "background", 4.5),
    ("focus", "background", 3.0),
    ("primary", "background", 3.0),  # button edges; focus rings in the header use on_primary
]


@dataclass
class Theme:
    name: str
    display_name: str
    colours: dict[str, str]
    logo: str | None = None
    logo_alt: str = ""
    footer: str = ""
    tagline: str = ""
    folders: list[Path] = field(default_factory=list)  # the theme's own first, default last

    def contrast_problems(self) -> list[str]:
        problems = []
        for fg, bg, needed in CONTRAST_PAIRS:
            ratio = contrast_ratio(self.colours[fg], self.colours[bg])
            if ratio < needed:
                problems.append(f"{fg} on {bg} is {ratio:.2f}:1, needs {needed}:1")
        return problems


def _read_settings(folder: Path) -> dict:
    with open(folder / "theme.toml", "rb") as fh:
        return tomllib.load(fh)


def _theme_from(folder: Path, settings: dict, base: Theme | None) -> Theme:
    colours = dict(base.colours) if base else {}
    for key, value in settings.get("colours", {}).items():
        if not isinstance(value, str) or not HEX.match(value):
            raise ValueError(f"colour {key!r} must look like #1a2b3c, got {value!r}")
        colours[key] = value.lower()
    missing = {name for pair in CONTRAST_PAIRS for name in pair[:2]} - colours.keys()
    if missing:
        raise ValueError(f"colours missing: {', '.join(sorted(missing))}")
    return Theme(
        name=folder.name,
        display_name=str(settings.get("display_name") or (base.display_name if base else "Milepost")),
        colours=colours,
        logo=settings.get("logo", base.logo if base else None),
        logo_alt=str(settings.get("logo_alt", base.logo_alt if base else "")),
        footer=str(settings.get("footer", base.footer if base else "")),
        tagline=str(settings.get("tagline", base.tagline if base else "")),
        folders=[folder] + (base.folders if base else []),
    )


def load_theme(themes_path: str | Path, name: str) -> Theme:
    """The named theme over the default one; the default alone if the named one is unusable."""
    themes_path = Path(themes_path)
    default = _theme_from(themes_path / DEFAULT, _read_settings(themes_path / DEFAULT), None)
    if not name or name == DEFAULT:
        return default
    folder = themes_path / name
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name) or not folder.is_dir():
        log.warning("theme %r not found in %s; using the default theme", name, themes_path)
        return default
    try:
        theme = _theme_from(folder, _read_settings(folder) if (folder / "theme.toml").exists() else {}, default)
    except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
        log.warning("theme %r is broken (%s); using the default theme", name, exc)
        return default
    for problem in theme.contrast_problems():
        log.warning("theme %r: colour contrast too low: %s", name, problem)
    return theme


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


bp = Blueprint("theme", __name__)


@bp.get("/static/<path:filename>")
@public
def static(filename: str):
    for folder in current_app.extensions["milepost_theme"].folders:
        static_dir = folder / "static"
        if (static_dir / filename).is_file():
            return send_from_directory(static_dir, filename, max_age=3600)
    abort(404)


@bp.get("/theme.css")
@public
def theme_css():
    theme = current_app.extensions["milepost_theme"]
    lines = [f"  --mp-{key.replace('_', '-')}: {value};" for key, value in sorted(theme.colours.items())]
    css = ":root {\n" + "\n".join(lines) + "\n}\n"
    response = Response(css, mimetype="text/css")
    response.cache_control.max_age = 300
    return response


def init_themes(app: Flask) -> Theme:
    theme = load_theme(app.config["THEMES_PATH"], app.config["THEME"])
    app.extensions["milepost_theme"] = theme
    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(f / "templates")) for f in theme.folders])
    app.register_blueprint(bp)
    app.jinja_env.globals["theme"] = theme
    return theme
