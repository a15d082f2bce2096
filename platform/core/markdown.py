"""Markdown written by staff, rendered with python-markdown and cleaned by nh3 before display.

Raw HTML in the source is never trusted: whatever python-markdown passes through is reduced
to a short list of harmless tags, links keep only http(s) and mailto addresses and get
rel="noopener noreferrer nofollow"."""
from __future__ import annotations

import markdown as _markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Headings in a badge's text sit under the page's own h1/h2, so # and ## become h3.
_HEADING_SHIFT = {"<h1>": "<h3>", "</h1>": "</h3>", "<h2>": "<h3>", "</h2>": "</h3>"}


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for a Markdown string (empty markup for None or blank)."""
    if not text or not text.strip():
        return Markup("")
    html = _markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    for old, new in _HEADING_SHIFT.items():
        html = html.replace(old, new)
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                      link_rel="noopener noreferrer nofollow")
    # Safe: cleaned by nh3 just above.
    return Markup(clean)  # nosec B704
