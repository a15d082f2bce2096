"""Generated badge images and the shared Markdown renderer."""
import struct
import zlib

from milepost.badges.images import badge_png, badge_svg, initials
from milepost.core.markdown import render_markdown

COLOURS = {"primary": "#1f4e79", "on_primary": "#ffffff", "accent": "#f2c14e"}


def test_initials_skip_small_words_and_accents():
    assert initials("The Art of Feedback") == "AF"
    assert initials("Équité en classe") == "EE"
    assert initials("Goal-setting") == "GS"
    assert initials("!!!") == ""


def test_the_generated_png_is_a_valid_256_pixel_image():
    data = badge_png("Student goal-setting", 2, COLOURS)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (256, 256)
    length = struct.unpack(">I", data[33:37])[0]
    assert data[37:41] == b"IDAT"
    raw = zlib.decompress(data[41:41 + length])
    assert len(raw) == 256 * (1 + 256 * 4)
    centre = 128 * (1 + 256 * 4) + 1 + 20 * 4
    assert raw[centre:centre + 4] == bytes((0x1f, 0x4e, 0x79, 255))  # primary colour inside the disc
    assert raw[1:5] == b"\0\0\0\0"  # transparent corner


def test_the_generated_svg_uses_theme_colours_and_escapes_the_title():
    svg = badge_svg('Tricky <script>"title"', 3, COLOURS)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'fill="#1f4e79"' in svg and svg.count('r="7"') == 3


def test_badge_images_are_served_with_a_strict_policy(as_role, make_badge):
    make_badge()
    client = as_role("teacher")
    for url, mimetype in (("/badges/goal-setting/image.png", "image/png"),
                          ("/badges/goal-setting/image.svg", "image/svg+xml"),
                          ("/badges/goal-setting/image", "image/svg+xml")):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == mimetype
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_drafts_image_is_not_found_except_by_authors(as_role, make_badge):
    make_badge(status="draft")
    teacher, author = as_role("teacher"), as_role("pd_admin")
    for url in ("/badges/goal-setting/image", "/badges/goal-setting/image.svg", "/badges/goal-setting/image.png"):
        assert teacher.get(url).status_code == 404, url
        assert author.get(url).status_code == 200, url


def test_markdown_is_rendered_and_sanitised():
    html = render_markdown("# Title\n\n**bold** <b onclick=x>b</b> [a](javascript:alert(1)) <iframe src=x></iframe>")
    assert "<h3>Title</h3>" in html and "<strong>bold</strong>" in html
    assert "onclick" not in html and "javascript:" not in html and "<iframe" not in html
    assert render_markdown(None) == "" and render_markdown("  ") == ""
