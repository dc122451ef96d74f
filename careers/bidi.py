"""Person-written and catalogue text, shown as written and in its place.

A name, a note or a catalogue text may hold a right-to-left override (U+202E) or be
written in a right-to-left script: left in the middle of the page's own words, it would
reorder them ("· niveau 1, cible 3, priorité 4" read backwards after a skill's name).
`bdi_html` puts such text in a `<bdi>` element: isolated for direction, so nothing it
holds reaches the text around it, and broken anywhere when one word is wider than its
box (static/css/app.css). `isolated` does the same for plain text, where no element can
go (a page title, a spreadsheet cell, a chart label): it wraps the text in the Unicode
isolate marks FSI and PDI, which show nothing.

Templates have them as the `|bdi` and `|isolate` filters (careers/templatetags/text.py,
a builtin: config/settings.py, TEMPLATES).
"""

from html import escape as html_escape
from typing import Any

from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def isolated(text: Any) -> str:
    """The text between FSI and PDI: isolated for direction in any plain-text display."""
    text = "" if text is None else str(text)
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}" if text else ""


def bdi_html(text: Any) -> SafeString:
    """The text, escaped, in a <bdi>; nothing for None or an empty text.

    `format_html("<bdi>{}</bdi>", text)` written out: a result page holds hundreds.
    """
    if text is None or text == "":
        return SafeString("")
    escaped = text.__html__() if hasattr(text, "__html__") else html_escape(str(text))
    return SafeString(f"<bdi>{escaped}</bdi>")


def bdi_each(texts: Any) -> SafeString:
    """Each text in its own <bdi>, joined by commas: a list of names in a sentence."""
    return format_html_join(", ", "{}", ((bdi_html(text),) for text in texts))


def with_names(message: str, **names: Any) -> SafeString:
    """A translated message with %(name)s placeholders, escaped, each name in a <bdi>:
    for the flash messages that name a person, an address or a team."""
    return mark_safe(  # noqa: S308 - the message and the names are escaped
        conditional_escape(message) % {key: bdi_html(value) for key, value in names.items()}
    )
