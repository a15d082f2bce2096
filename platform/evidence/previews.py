"""Evidence shown in the page: what kind of viewer each stored file gets (an image, a player for video and
audio, the pages of a PDF as images, a labelled download for Office documents), and the PDF page images.

A PDF never reaches the browser as a document it would run: PDFium (through pypdfium2) renders its pages to
PNG on the server, cached beside the uploads by the file's hash, and the page shows those images."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from milepost.evidence.storage import INLINE_TYPES

PDF = "application/pdf"
# Played in the page with the browser's own controls (seeking asks the file route for byte ranges).
VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/webm", "video/x-m4v"}
AUDIO_TYPES = {"audio/mpeg", "audio/mp4", "audio/x-wav"}
PLAYABLE_TYPES = VIDEO_TYPES | AUDIO_TYPES
# Office documents are downloaded, with a label that says what they are.
OFFICE_LABELS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/msword": "Word document",
    "application/vnd.oasis.opendocument.text": "Text document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
    "application/vnd.ms-excel": "Excel spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet": "Spreadsheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint presentation",
    "application/vnd.ms-powerpoint": "PowerPoint presentation",
    "application/vnd.oasis.opendocument.presentation": "Presentation",
}
MAX_PAGES = 30        # pages of a PDF shown in the page; the rest are in the download
PAGE_WIDTH = 1100     # pixels of a rendered page's width
MAX_SCALE = 4.0       # never render a tiny page huge


def viewer(mime: str) -> str:
    """image, video, audio, pdf, office or file: how the page shows a file of this type."""
    if mime in INLINE_TYPES:
        return "image"
    if mime in VIDEO_TYPES:
        return "video"
    if mime in AUDIO_TYPES:
        return "audio"
    if mime == PDF:
        return "pdf"
    if mime in OFFICE_LABELS:
        return "office"
    return "file"


def player_type(mime: str) -> str:
    """The type the page tells the player: a phone's QuickTime (.mov) video is H.264 in an MP4-like
    container, which browsers play when told it is video/mp4."""
    return "video/mp4" if mime in ("video/quicktime", "video/x-m4v") else mime


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, target)


def page_count(source: Path, cache: Path, sha256: str) -> int:
    """How many pages the PDF has (0 when PDFium cannot read it), remembered beside its page images."""
    known = cache / sha256 / "pages"
    try:
        return int(known.read_text())
    except (OSError, ValueError):
        pass
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(source))
    except (pdfium.PdfiumError, OSError):
        count = 0
    else:
        try:
            count = len(document)
        finally:
            document.close()
    _write(known, str(count).encode())
    return count


def page_png(source: Path, cache: Path, sha256: str, number: int) -> Path | None:
    """The PNG of page `number` (from 1) of the PDF, rendered once; None for a page it does not have."""
    if not 1 <= number <= min(page_count(source, cache, sha256), MAX_PAGES):
        return None
    target = cache / sha256 / f"{number}.png"
    if target.exists():
        return target
    import io

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(source))
    try:
        page = document[number - 1]
        width = page.get_width() or 1
        scale = min(MAX_SCALE, PAGE_WIDTH / width)
        image = page.render(scale=scale).to_pil()
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "PNG", optimize=True)
    except pdfium.PdfiumError:
        return None
    finally:
        document.close()
    _write(target, buffer.getvalue())
    return target
