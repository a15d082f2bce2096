"""Uploaded badge images: a PNG or JPEG told by its first bytes, stored once by content hash under
UPLOAD_PATH/badge-images/. The generated default image is milepost.badges.images."""
from __future__ import annotations

import hashlib
import math
from pathlib import Path

from milepost.badges.models import Badge, ImageType
from milepost.core import audit
from milepost.core.errors import ValidationFailed

# First bytes -> (media type, file extension).
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": (ImageType.PNG, "png"), b"\xff\xd8\xff": (ImageType.JPEG, "jpg")}


def sniff_image(data: bytes) -> tuple[str, str] | None:
    for magic, kind in IMAGE_TYPES.items():
        if data.startswith(magic):
            return kind
    return None


def set_badge_image(session, badge: Badge, data: bytes, *, folder: str | Path, max_bytes: int, actor) -> None:
    """Keep an uploaded PNG or JPEG (checked by its first bytes, not its name), stored once by hash."""
    if not data:
        raise ValidationFailed("The file is empty.")
    if len(data) > max_bytes:
        raise ValidationFailed(f"A badge image can be at most {max_bytes // 1024} KB; this one is "
                               f"{math.ceil(len(data) / 1024)} KB.")
    kind = sniff_image(data)
    if kind is None:
        raise ValidationFailed("A badge image must be a PNG or JPEG file.")
    digest = hashlib.sha256(data).hexdigest()
    path = Path(folder) / "badge-images" / f"{digest}.{kind[1]}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    badge.image_sha256, badge.image_type = digest, kind[0]
    audit.record(session, "badge.image_uploaded", actor=actor, target=badge, sha256=digest)


def clear_badge_image(session, badge: Badge, *, actor) -> None:
    badge.image_sha256 = badge.image_type = None
    audit.record(session, "badge.image_cleared", actor=actor, target=badge)


def badge_image_path(badge: Badge, folder: str | Path) -> Path | None:
    if not badge.image_sha256:
        return None
    ext = "png" if badge.image_type == ImageType.PNG else "jpg"
    path = Path(folder) / "badge-images" / f"{badge.image_sha256}.{ext}"
    return path if path.is_file() else None
