"""File storage: streamed to disk, typed from the content, stored once by SHA-256.

One small interface (FileStore) so that a shared volume or an object store can replace the
local folder without the rest of the code noticing."""
from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype

from milepost.core.errors import ValidationFailed

CHUNK = 64 * 1024

# What teachers may upload, by the type found in the content (not the name).
DEFAULT_ALLOWED = {
    "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "application/msword": ".doc", "application/vnd.ms-excel": ".xls", "application/vnd.ms-powerpoint": ".ppt",
    "text/plain": ".txt",
    "video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm", "video/x-m4v": ".m4v",
    "audio/mpeg": ".mp3", "audio/mp4": ".m4a", "audio/x-wav": ".wav",
}
# Shown in the browser; everything else is a download.
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
_MARKUP = re.compile(rb"<\s*(!doctype|html|svg|script|\?xml|body|head|iframe|object|embed|meta|a\s)", re.I)


class FileRejected(ValidationFailed):
    """An upload we will not keep; the message says why in plain words."""


class FileTooLarge(FileRejected):
    status = 413


class StorageFull(FileRejected):
    """The server's disk is full: nothing is kept, and the draft around the upload is untouched."""

    status = 507


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    mime: str


def sniff(head: bytes) -> str | None:
    """The MIME type the bytes really are, or None when we cannot tell or it is markup."""
    if not head:
        return None
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    # Plain text only if it is UTF-8 without NUL bytes and does not look like HTML, SVG or XML.
    sample = head[:8192]
    if b"\x00" in sample or _MARKUP.search(sample):
        return None
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # a multi-byte character cut at the end is fine
            return None
    return "text/plain"


def describe_refusal(head: bytes, filename: str) -> str:
    if not head:
        return f"{filename} is empty. Please choose the file again."
    if _MARKUP.search(head[:8192]) or filename.lower().endswith((".svg", ".html", ".htm", ".xml")):
        return (f"{filename} is a web page or SVG drawing, which can carry scripts, so it cannot be uploaded. "
                "Save it as a PDF or PNG and upload that instead.")
    return (f"{filename} is not a kind of file we accept. Upload photos (JPEG, PNG, HEIC), PDFs, "
            "Word, Excel or PowerPoint documents, plain text, or short videos (MP4, MOV).")


def safe_filename(name: str, mime: str, allowed: dict[str, str]) -> str:
    """A name that is safe in a header and a file system, with the extension of its real type."""
    name = unicodedata.normalize("NFKC", os.path.basename((name or "").replace("\\", "/")))
    stem = re.sub(r"[^\w.\- ()]+", "_", Path(name).stem, flags=re.UNICODE).strip(" ._") or "file"
    return stem[:100] + allowed.get(mime, "")


class FileStore:
    """Content-addressed files in a local folder: <root>/ab/cd/<sha256>."""

    def __init__(self, root: str | Path, allowed: dict[str, str] | None = None, *, strip_metadata: bool = False):
        self.root = Path(root)
        self.allowed = allowed or DEFAULT_ALLOWED
        self.strip_metadata = strip_metadata
        self.incoming = self.root / "incoming"

    def path_for(self, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path_for(sha256), "rb")

    def save(self, stream: BinaryIO, *, filename: str, max_bytes: int) -> StoredFile:
        """Stream into a temporary file while hashing, check type and size, then move into place."""
        self.incoming.mkdir(parents=True, exist_ok=True)
        digest, size, head = hashlib.sha256(), 0, b""
        fd, tmp_name = tempfile.mkstemp(dir=self.incoming, prefix="up-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in _chunks(stream):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(f"{filename} is larger than the {max_bytes // (1024 * 1024)} MB limit "
                                           "for one file. Try a shorter clip or a smaller export.")
                    if len(head) < 8192:
                        head += chunk[:8192 - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
            return self._keep(tmp_name, digest.hexdigest(), size, head, filename)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFull(f"{filename} could not be stored: the server is out of space. Your draft is "
                                  "saved; please tell your PD office and try the upload again later.") from exc
            raise
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)

    def save_file(self, path: Path, *, filename: str, max_bytes: int) -> StoredFile:
        """Keep a file already on disk (an upload assembled from chunks)."""
        with open(path, "rb") as fh:
            return self.save(fh, filename=filename, max_bytes=max_bytes)

    def _keep(self, tmp_name: str, sha256: str, size: int, head: bytes, filename: str) -> StoredFile:
        mime = sniff(head)
        if mime is None or mime not in self.allowed:
            raise FileRejected(describe_refusal(head, filename))
        if self.strip_metadata and mime in REENCODE:
            sha256, size = _reencode(tmp_name, mime, filename)
        final = self.path_for(sha256)
        if not final.exists():
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp_name, 0o640)
            os.replace(tmp_name, final)  # atomic: a reader never sees half a file
        return StoredFile(sha256=sha256, size=size, mime=mime)


# Photos re-encoded without their metadata (camera, time, and above all GPS location).
REENCODE = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def _reencode(path: str, mime: str, filename: str) -> tuple[str, int]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 80_000_000  # refuses decompression bombs
    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image)  # keep the photo the right way up once EXIF is gone
            out = path + ".clean"
            options = {"quality": 90, "optimize": True} if mime == "image/jpeg" else {}
            if mime == "image/jpeg" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            image.save(out, REENCODE[mime], **options)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
        raise FileRejected(f"{filename} looks like a photo but could not be read. Try exporting it again.") from exc
    os.replace(out, path)
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in _chunks(fh):
            digest.update(chunk)
    return digest.hexdigest(), os.path.getsize(path)


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return
        yield chunk
