"""Baked badge images (Open Badges Baking 2.0): the award's badge picture as PNG (an iTXt chunk) and
SVG (an openbadges:assertion element) carrying the hosted assertion, made by openbadges-bakery."""
from __future__ import annotations

import io
import json

from flask import current_app
from openbadges_bakery import bake

from milepost.awards.models import Award
from milepost.badges import images
from milepost.badges.models import BadgeVersion
from milepost.badges.services import badge_image_path
from milepost.credentials import ob2


def badge_picture(version: BadgeVersion, fmt: str) -> bytes:
    """The version's picture: the uploaded PNG when there is one, else the generated image in theme colours."""
    snap = version.snapshot or {}
    title, level = snap.get("title") or version.badge.title, snap.get("level") or version.badge.level
    colours = current_app.extensions["milepost_theme"].colours
    if fmt == "png":
        path = badge_image_path(version.badge, current_app.config["UPLOAD_PATH"])
        if path is not None and path.suffix == ".png":
            return path.read_bytes()
        return images.badge_png(title, level, colours)
    return images.badge_svg(title, level, colours).encode("utf-8")


def baked(session, award: Award, fmt: str) -> bytes:
    assertion = ob2.assertion_document(session, award)
    source = io.BytesIO(badge_picture(award.badge_version, fmt))
    source.name = f"badge.{fmt}"
    result = bake(source, json.dumps(assertion, separators=(",", ":")))
    try:
        result.seek(0)
        return result.read()
    finally:
        result.close()
