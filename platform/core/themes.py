"""Themes: a district folder overrides any template or static file of themes/default by the
same relative path, and sets its name, logo, colours and footer in theme.toml."""
from __future__ import annotations

import logging
import re
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, send_from_directory
from jinja2 import BaseLoader, TemplateNotFound
from jinja2.loaders import split_template_path

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


class ThemeManager:
    """The themes on disk and the one in use. The site admin can switch it while the app runs:
    every worker picks the choice up from the database within a few seconds, and templates whose
    theme changed are reloaded (their `uptodate` check compares a stamp, no disk access)."""

    REFRESH_SECONDS = 10

    def __init__(self, themes_path: str | Path, configured: str, *, watch_files: bool = False):
        self.themes_path = Path(themes_path)
        self.configured = configured or DEFAULT
        self.watch_files = watch_files
        self._loaded: dict[str, Theme] = {}
        self.active_name = self.configured
        self.stamp = 0
        self.checked_at = 0.0

    def get(self, name: str) -> Theme:
        if name not in self._loaded:
            self._loaded[name] = load_theme(self.themes_path, name)
        return self._loaded[name]

    @property
    def active(self) -> Theme:
        return self.get(self.active_name)

    def use(self, name: str | None) -> None:
        name = name or self.configured
        if name != self.active_name:
            self.active_name = name
            self.stamp += 1

    def available(self) -> list[Theme]:
        names = sorted(p.name for p in self.themes_path.iterdir() if (p / "theme.toml").is_file())
        return [self.get(n) for n in names if self.get(n).name == n]


class ThemeProxy:
    """Stands for the active theme wherever code or templates say `theme`."""

    def __init__(self, manager: ThemeManager):
        object.__setattr__(self, "_manager", manager)

    def __getattr__(self, name):
        return getattr(self._manager.active, name)


class ActiveThemeLoader(BaseLoader):
    def __init__(self, manager: ThemeManager):
        self.manager = manager

    def get_source(self, environment, template):
        pieces = split_template_path(template)
        stamp = self.manager.stamp
        for folder in self.manager.active.folders:
            path = folder.joinpath("templates", *pieces)
            if path.is_file():
                source = path.read_text(encoding="utf-8")
                if self.manager.watch_files:
                    mtime = path.stat().st_mtime
                    return source, str(path), lambda path=path, mtime=mtime: (
                        self.manager.stamp == stamp and path.is_file() and path.stat().st_mtime == mtime)
                return source, str(path), lambda: self.manager.stamp == stamp
        raise TemplateNotFound(template)

    def list_templates(self):
        found = set()
        for folder in self.manager.active.folders:
            root = folder / "templates"
            found.update(p.relative_to(root).as_posix() for p in root.rglob("*.html"))
        return sorted(found)


bp = Blueprint("theme", __name__)


def manager() -> ThemeManager:
    return current_app.extensions["milepost_themes"]


@bp.get("/static/<path:filename>")
@public
def static(filename: str):
    if len(filename) > 255 or "\x00" in filename:
        abort(404)  # no shipped file has such a name, and the file system would refuse it
    for folder in manager().active.folders:
        static_dir = folder / "static"
        try:
            found = (static_dir / filename).is_file()
        except (OSError, ValueError):
            found = False
        if found:
            return send_from_directory(static_dir, filename, max_age=3600)
    abort(404)


@bp.get("/theme.css")
@public
def theme_css():
    theme = manager().active
    lines = [f"  --mp-{key.replace('_', '-')}: {value};" for key, value in sorted(theme.colours.items())]
    css = ":root {\n" + "\n".join(lines) + "\n}\n"
    response = Response(css, mimetype="text/css")
    response.cache_control.max_age = 300
    return response


def _refresh_choice() -> None:
    """Follow the site admin's choice of theme (stored in the database), checked every few seconds."""
    themes = manager()
    now = time.monotonic()
    if now - themes.checked_at < themes.REFRESH_SECONDS:
        return
    themes.checked_at = now
    from milepost.core.settings import get_setting

    try:
        themes.use(get_setting("theme"))
    except Exception:  # noqa: BLE001 - no settings table yet (before `db upgrade`): keep the configured one
        from milepost.extensions import db
        db.session.rollback()


def init_themes(app: Flask) -> Theme:
    themes = ThemeManager(app.config["THEMES_PATH"], app.config["THEME"], watch_files=app.debug)
    app.extensions["milepost_themes"] = themes
    app.extensions["milepost_theme"] = ThemeProxy(themes)
    app.jinja_loader = ActiveThemeLoader(themes)
    app.jinja_options = {**app.jinja_options, "auto_reload": True}
    app.register_blueprint(bp)
    app.jinja_env.globals["theme"] = app.extensions["milepost_theme"]
    app.before_request(_refresh_choice)

    @app.url_defaults
    def versioned_theme_files(endpoint, values):
        # A different theme means different files behind the same names: make the URLs differ too.
        if endpoint in ("theme.static", "theme.theme_css"):
            values.setdefault("t", themes.active.name)

    return themes.active
