"""The default badge image: a disc in the theme's colours with the badge's initials and its level
as dots, drawn as SVG and as PNG. The PNG is encoded here with zlib (a 5x7 pixel font scaled
up), so no imaging library is needed for a 256-pixel picture."""
from __future__ import annotations

import struct
import unicodedata
import zlib
from functools import lru_cache

from markupsafe import escape

SIZE = 256
SMALL_WORDS = {"a", "an", "and", "the", "of", "for", "in", "on", "to", "with", "by", "at", "from", "your", "our"}

_FONT_ROWS = {
    "A": ".###. #...# #...# ##### #...# #...# #...#",
    "B": "####. #...# #...# ####. #...# #...# ####.",
    "C": ".###. #...# #.... #.... #.... #...# .###.",
    "D": "####. #...# #...# #...# #...# #...# ####.",
    "E": "##### #.... #.... ####. #.... #.... #####",
    "F": "##### #.... #.... ####. #.... #.... #....",
    "G": ".###. #...# #.... #.### #...# #...# .####",
    "H": "#...# #...# #...# ##### #...# #...# #...#",
    "I": ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
    "J": "..### ...#. ...#. ...#. ...#. #..#. .##..",
    "K": "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
    "L": "#.... #.... #.... #.... #.... #.... #####",
    "M": "#...# ##.## #.#.# #.#.# #...# #...# #...#",
    "N": "#...# #...# ##..# #.#.# #..## #...# #...#",
    "O": ".###. #...# #...# #...# #...# #...# .###.",
    "P": "####. #...# #...# ####. #.... #.... #....",
    "Q": ".###. #...# #...# #...# #.#.# #..#. .##.#",
    "R": "####. #...# #...# ####. #.#.. #..#. #...#",
    "S": ".#### #.... #.... .###. ....# ....# ####.",
    "T": "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
    "U": "#...# #...# #...# #...# #...# #...# .###.",
    "V": "#...# #...# #...# #...# #...# .#.#. ..#..",
    "W": "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
    "X": "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
    "Y": "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
    "Z": "##### ....# ...#. ..#.. .#... #.... #####",
    "0": ".###. #...# #..## #.#.# ##..# #...# .###.",
    "1": "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
    "2": ".###. #...# ....# ...#. ..#.. .#... #####",
    "3": "####. ....# ....# .###. ....# ....# ####.",
    "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
    "5": "##### #.... ####. ....# ....# #...# .###.",
    "6": ".###. #.... #.... ####. #...# #...# .###.",
    "7": "##### ....# ...#. ..#.. .#... .#... .#...",
    "8": ".###. #...# #...# .###. #...# #...# .###.",
    "9": ".###. #...# #...# .#### ....# ....# .###.",
}
FONT = {ch: [row for row in rows.split()] for ch, rows in _FONT_ROWS.items()}


def initials(title: str) -> str:
    """Up to two letters: the first letters of the title's first two significant words."""
    plain = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode().upper()
    words = ["".join(ch for ch in word if ch in FONT) for word in plain.replace("-", " ").split()]
    words = [w for w in words if w]
    significant = [w for w in words if w.lower() not in SMALL_WORDS] or words
    return "".join(w[0] for w in significant[:2])


def badge_svg(title: str, level: int, colours: dict[str, str]) -> str:
    letters = initials(title)
    dots = "".join(
        f'<circle cx="{x}" cy="196" r="7" fill="{colours["accent"]}"/>' for x in _dot_xs(level))
    font_size = 96 if len(letters) < 2 else 84
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" '
        f'role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<circle cx="128" cy="128" r="124" fill="{colours["accent"]}"/>'
        f'<circle cx="128" cy="128" r="110" fill="{colours["primary"]}"/>'
        f'<text x="128" y="150" text-anchor="middle" font-family="system-ui, -apple-system, \'Segoe UI\', '
        f'Roboto, sans-serif" font-size="{font_size}" font-weight="700" fill="{colours["on_primary"]}">'
        f"{escape(letters)}</text>{dots}</svg>"
    )


def _dot_xs(level: int) -> list[int]:
    level = max(1, min(3, int(level or 1)))
    return [128 + (i - (level - 1) / 2) * 26 for i in range(level)] if level else []


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def badge_png(title: str, level: int, colours: dict[str, str]) -> bytes:
    return _png(initials(title), max(1, min(3, int(level or 1))), colours["accent"], colours["primary"],
                colours["on_primary"])


@lru_cache(maxsize=256)
def _png(letters: str, level: int, accent: str, primary: str, ink: str) -> bytes:
    accent_rgb, primary_rgb, ink_rgb = _rgb(accent), _rgb(primary), _rgb(ink)
    scale = 14 if len(letters) < 2 else 12
    text_w = (len(letters) * 6 - 1) * scale if letters else 0
    x0, y0 = (SIZE - text_w) // 2, 118 - (7 * scale) // 2
    dots = [(x, 196.0) for x in _dot_xs(level)]

    rows = bytearray()
    for y in range(SIZE):
        rows.append(0)  # filter type: none
        cy = y + 0.5 - 128
        for x in range(SIZE):
            cx = x + 0.5 - 128
            d = (cx * cx + cy * cy) ** 0.5
            outer = min(1.0, max(0.0, 124 - d + 0.5))
            if outer == 0.0:
                rows += b"\0\0\0\0"
                continue
            inner = min(1.0, max(0.0, 110 - d + 0.5))
            colour = _mix(accent_rgb, primary_rgb, inner)
            if inner == 1.0:
                u, v = x - x0, y - y0
                if letters and 0 <= u < text_w and 0 <= v < 7 * scale:
                    index, col = divmod(u // scale, 6)
                    if col < 5 and FONT[letters[index]][v // scale][col] == "#":
                        colour = ink_rgb
                for dx, dy in dots:
                    cover = min(1.0, max(0.0, 7 - ((x + 0.5 - dx) ** 2 + (y + 0.5 - dy) ** 2) ** 0.5 + 0.5))
                    if cover:
                        colour = _mix(colour, accent_rgb, cover)
            rows += bytes((*colour, round(255 * outer)))
    return _encode_png(SIZE, SIZE, bytes(rows))


def _mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _encode_png(width: int, height: int, raw_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw_rows, 9))
            + chunk(b"IEND", b""))
