"""A comment's three bodies: plain ``body``, sanitized ``html_body``, and text from HTML."""

from __future__ import annotations

import html
import re

import nh3

from console.domain.html import comment_html_from_text as html_from_text

_BLOCK_END = re.compile(r"(?i)</(p|div|li|h[1-6]|blockquote|pre|tr)>|<br\s*/?>")


def text_from_html(markup: str) -> str:
    spaced = _BLOCK_END.sub(lambda m: m.group(0) + "\n", markup)
    text = html.unescape(nh3.clean(spaced, tags=set()))
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def comment_bodies(body: str | None, html_body: str | None) -> tuple[str, str]:
    """(plain body, html body) from whichever the writer sent; HTML is sanitized.

    A plain ``body`` is text, whatever it contains: a customer who writes ``<b>`` or ``<script>``
    reads it back literally (escaped in ``html_body``), as Zendesk does."""
    if html_body is not None:
        clean = nh3.clean(html_body)
        return text_from_html(clean), f'<div class="zd-comment" dir="auto">{clean}</div>'
    plain = body or ""
    return plain, html_from_text(plain)
