"""Fragments: text written once (the refund terms, the cancellation rule) that canned replies include.

A fragment is a macro whose title starts with ``Fragment::``; its name is the rest of the title
(matched without regard to case). A reply includes it with Liquid's ``{% render 'Refund terms' %}``
or ``{% include 'Refund terms' %}`` (the name quoted; the arguments ``with``/``for``/``key: value``
are not supported). A fragment may include other fragments.

- ``check_fragments(template, fragments)`` raises ``FragmentError`` for a missing fragment, a loop
  (``A → B → A``) or a tag it can't resolve, naming the chain: the reply is then shown with the
  error and never rendered halfway.
- ``expand_fragments(template, fragments)`` inlines every fragment's source (placeholders intact),
  so the editor's placeholder checks and the preview see one template.
- ``render_with_fragments(template, context, fragments)`` renders with python-liquid and a loader
  over the fragments (the same text as expanding then rendering: the placeholder namespace is
  passed as globals, which ``render`` partials see too).

``fragments_from_macros(macros)`` builds the ``{name: template}`` map from cached macros.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

FRAGMENT_PREFIX = "fragment::"
_TAG = re.compile(r"\{%-?\s*(render|include)\b(.*?)-?%\}", re.DOTALL)
_SIMPLE_NAME = re.compile(r"""\s*(['"])(.+?)\1\s*""", re.DOTALL)
MAX_DEPTH = 8


class FragmentError(ValueError):
    """A reply's fragments can't be resolved; the message names the fragment (and the loop)."""


def fragment_name(title: object) -> str | None:
    """"Fragment::Refund terms" → "Refund terms"; None for any other title."""
    if isinstance(title, str) and title.casefold().startswith(FRAGMENT_PREFIX):
        return title[len(FRAGMENT_PREFIX):].strip() or None
    return None


def macro_text(macro: Mapping) -> str:
    """The comment text a macro writes (the last ``comment_value``), or ''."""
    text = ""
    for action in macro.get("actions") or []:
        if isinstance(action, Mapping) and action.get("field") == "comment_value":
            value = action.get("value")
            text = str(value[-1] if isinstance(value, list) and value else value or "")
    return text


def fragments_from_macros(macros: Iterable[Mapping]) -> dict[str, str]:
    """``{name (case-folded): template}`` of every fragment macro."""
    out = {}
    for macro in macros:
        name = fragment_name(macro.get("title"))
        if name:
            out[name.casefold()] = macro_text(macro)
    return out


def references(template: str) -> list[tuple[str, re.Match]]:
    """Every fragment tag in ``template``: (name, the tag's match; group 1 is render or include).
    A tag with arguments is an error."""
    found = []
    for match in _TAG.finditer(template or ""):
        simple = _SIMPLE_NAME.fullmatch(match.group(2))
        if simple is None:
            raise FragmentError(f"Can't include {match.group(0).strip()!r}: name the fragment in quotes, "
                                "without arguments, e.g. {% render 'Refund terms' %}")
        found.append((simple.group(2).strip(), match))
    return found


def check_fragments(template: str, fragments: Mapping[str, str]) -> None:
    """Raise ``FragmentError`` unless every fragment ``template`` includes resolves, without a loop."""
    _expand(template, fragments, (), False)


def expand_fragments(template: str, fragments: Mapping[str, str]) -> str:
    """``template`` with each fragment tag replaced by the fragment's own (expanded) source."""
    return _expand(template, fragments, (), False)


def _expand(template: str, fragments: Mapping[str, str], chain: tuple[str, ...], rendered: bool) -> str:
    refs = references(template)
    if not refs:
        return template
    out, cut = [], 0
    for name, match in refs:
        key = name.casefold()
        if rendered and match.group(1) == "include":
            raise FragmentError(f"'{chain[-1]}' is rendered, so it can't include '{name}' (Liquid allows "
                                "only {% render %} there)")
        if key in chain:
            loop = " → ".join((*chain, name))
            raise FragmentError(f"Fragment loop: {loop}")
        if key not in fragments:
            where = f" (included by '{chain[-1]}')" if chain else ""
            raise FragmentError(f"Fragment '{name}' is missing{where}: no canned reply titled 'Fragment::{name}'")
        if len(chain) >= MAX_DEPTH:
            raise FragmentError(f"Fragments nest deeper than {MAX_DEPTH}: " + " → ".join((*chain, name)))
        out.append(template[cut:match.start()])
        out.append(_expand(fragments[key], fragments, (*chain, key), rendered or match.group(1) == "render"))
        cut = match.end()
    out.append(template[cut:])
    return "".join(out)


def fragment_loader(fragments: Mapping[str, str]):
    """A python-liquid loader over the fragments (names matched without regard to case).

    python-liquid is imported here, on first use: listing canned replies never needs it."""
    from liquid import BaseLoader
    from liquid.exceptions import TemplateNotFoundError
    from liquid.loader import TemplateSource

    class FragmentLoader(BaseLoader):
        def __init__(self) -> None:
            super().__init__()
            self.fragments = {k.casefold(): v for k, v in fragments.items()}

        def get_source(self, env, template_name: str, *, context=None, **kwargs) -> TemplateSource:  # noqa: ARG002
            key = template_name.strip().casefold()
            if key not in self.fragments:
                raise TemplateNotFoundError(template_name)
            return TemplateSource(self.fragments[key], template_name, None)

    return FragmentLoader()


def render_with_fragments(template: str, context: Mapping, fragments: Mapping[str, str]) -> str:
    """Render ``template`` for ``context`` with its fragments; ``FragmentError`` instead of half a reply."""
    from liquid import Environment
    from liquid.exceptions import LiquidError

    check_fragments(template, fragments)
    env = Environment(autoescape=False, loader=fragment_loader(fragments))
    try:
        return env.from_string(template, globals=dict(context)).render()
    except LiquidError as error:
        raise FragmentError(f"Template error: {error.message}") from None


def with_fragments_expanded(macros: Iterable[Mapping], fragments: Mapping[str, str]) -> list[dict]:
    """The macros minus the fragments, each reply's comment text with its fragments inlined (for an
    editor that fills placeholders itself). A reply whose fragments don't resolve is kept as written,
    so its error shows where the text is checked; a macro without fragment tags is returned as is."""
    out = []
    for macro in macros:
        if fragment_name(macro.get("title")):
            continue
        text = macro_text(macro)
        if not _TAG.search(text):
            out.append(dict(macro))
            continue
        try:
            expanded = expand_fragments(text, fragments)
        except FragmentError:
            out.append(dict(macro))
            continue
        actions = [({**a, "value": expanded} if isinstance(a, Mapping) and a.get("field") == "comment_value" else a)
                   for a in macro.get("actions") or []]
        out.append({**macro, "actions": actions})
    return out
