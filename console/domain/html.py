"""HTML safety for comment bodies (DESIGN.md invariant 6) and plain-text conversions.

``sanitize_comment_html`` keeps basic formatting, lists, quotes, tables and links, and drops
everything active: scripts, styles (so no CSS expressions or background images), iframes,
objects, forms and their controls, event handlers, ``class``/``style``/``id`` attributes and
any link that is not http, https or mailto. Links get ``rel="noopener noreferrer"``.

Nothing is ever loaded from the comment: every ``<img>`` becomes a visible text placeholder.
Remote (http/https) images, tracking pixels included, read "[remote image blocked: host]";
``data:`` images are dropped too ("[embedded image removed]") because they can be huge and
are a common way to smuggle content past filters; ``cid:`` inline images point at attachments
the ticket already lists ("[inline image: see attachments]"). ``dir`` (ltr, rtl, auto) and
``lang`` survive so right-to-left text keeps its direction.
"""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urlsplit

import nh3

_FORMATTING_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
    "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript",
    "template", "textarea", "select", "button", "svg", "math", "head", "title", "audio", "video",
    "canvas",
}
_ATTRIBUTES = {
    "*": {"dir", "lang", "title"},
    "a": {"href"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type"},
    "col": {"span"},
    "colgroup": {"span"},
}
_LINK_SCHEMES = {"http", "https", "mailto"}
_DIRECTIONS = {"ltr", "rtl", "auto"}
_BLOCK_TAGS = {
    "p", "div", "blockquote", "pre", "ul", "ol", "li", "dl", "dt", "dd", "table", "tr", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "caption",
}
_PARAGRAPH_TAGS = {"p", "blockquote", "pre", "table", "ul", "ol", "dl"}


def sanitize_comment_html(html: str | None) -> str:
    """Safe HTML for display: formatting kept, active content removed, images as text.

    One nh3 pass, then the ``<img>`` tags of its output (which nh3 writes in one exact form:
    lower-case names, every value double-quoted, ``"`` escaped) become placeholders by a regular
    expression: a 6 MB comment takes well under a second, not the seconds of a parser in Python."""
    if not html:
        return ""
    cleaned = _clean(str(html), tags=_FORMATTING_TAGS | {"img"})
    return _IMG.sub(_placeholder_for, cleaned) if "<img" in cleaned else cleaned


def html_to_text(html: str | None) -> str:
    """Readable plain text of a comment (for previews and search), images as placeholders."""
    if not html:
        return ""
    text = sanitize_comment_html(html)
    for pattern, replacement in _TAG_TEXT:
        text = pattern.sub(replacement, text)
    text = html_lib.unescape(text)
    text = _LINE_EDGES.sub("", _SPACES.sub(" ", text))
    return _BLANK_LINES.sub("\n\n", text).strip()


def text_to_html(text: str | None) -> str:
    """An agent's plain reply as HTML: escaped, blank lines split paragraphs, newlines become <br>."""
    if not text:
        return ""
    normalized = str(text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", normalized)]
    return "".join(
        '<p dir="auto">' + "<br>".join(html_lib.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs if p.strip()
    )


def comment_html_from_text(text: str) -> str:
    """The ``html_body`` Zendesk (and the embedded helpdesk) gives a comment written as plain text:
    paragraphs at blank lines, ``<br>`` at newlines, inside ``div.zd-comment``. The cache keeps
    such an ``html_body`` as this rule rather than as a second copy of the body."""
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(text.strip()) if p.strip()] or [""]
    return _ZD_OPEN + "".join([_P_OPEN + html_lib.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs]) \
        + "</div>"


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_ZD_OPEN, _P_OPEN = '<div class="zd-comment" dir="auto">', '<p dir="auto">'


def image_placeholder(src: str | None, alt: str | None = None) -> str:
    """The text shown instead of an image."""
    src = (src or "").strip()
    scheme = src.split(":", 1)[0].lower() if ":" in src else ""
    if scheme in ("http", "https"):
        host = urlsplit(src).hostname or "unknown host"
        text = f"[remote image blocked: {host}"
    elif scheme == "cid":
        text = "[inline image: see attachments"
    elif scheme == "data":
        text = "[embedded image removed"
    else:
        text = "[image removed"
    alt = re.sub(r"\s+", " ", alt or "").strip()
    return text + (f' "{alt[:60]}"]' if alt else "]")


def _clean(html: str, *, tags: set[str]) -> str:
    return nh3.clean(
        html,
        tags=tags,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes={tag: attrs for tag, attrs in _ATTRIBUTES.items() if tag == "*" or tag in tags},
        attribute_filter=_filter_attribute,
        url_schemes=_LINK_SCHEMES | {"data", "cid"},
        url_relative="deny",
        link_rel="noopener noreferrer",
    )


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "dir":
        return value.lower() if value.lower() in _DIRECTIONS else None
    if tag == "a" and attribute == "href":
        return value if urlsplit(value).scheme.lower() in _LINK_SCHEMES else None
    return value


# nh3's serialisation: <name attr="value" ...> with values double-quoted and '"' escaped inside
_ATTR = r'\s+[a-z][a-z0-9-]*(?:="[^"]*")?'
_IMG = re.compile(rf"<img((?:{_ATTR})*)\s*/?>")


def _tags(names, closing: str = "/?") -> re.Pattern:
    return re.compile(rf"<{closing}(?:{'|'.join(sorted(names))})(?:{_ATTR})*\s*/?>")


_OTHER_BLOCKS = _BLOCK_TAGS - _PARAGRAPH_TAGS - {"li"}
# what each tag stands for in plain text, applied in order (plain regex passes: no Python per tag)
_TAG_TEXT = (
    (_tags({"br"}, ""), "\n"),
    (_tags({"li"}, ""), "\n- "),
    (_tags({"td", "th"}, ""), "\t"),
    (_tags(_PARAGRAPH_TAGS), "\n\n"),
    (_tags(_OTHER_BLOCKS), "\n"),
    (re.compile(rf"</?[a-z][a-z0-9]*(?:{_ATTR})*\s*/?>"), ""),
)
_VALUE = re.compile(r'([a-z][a-z0-9-]*)="([^"]*)"')
_SPACES = re.compile(r"[ \t\u00a0]+")
_LINE_EDGES = re.compile(r"^ | $", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")


def _placeholder_for(match: re.Match) -> str:
    values = {k: html_lib.unescape(v) for k, v in _VALUE.findall(match.group(1))}
    return html_lib.escape(image_placeholder(values.get("src"), values.get("alt")), quote=False)
