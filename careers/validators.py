"""Free-text names hold no control characters.

A name is one line of text shown in pages, file names, spreadsheets and e-mail subjects
(a line break in a subject is refused by the mail library, after the invitation row was
written). Names of the catalogue, of teams and of review cycles therefore refuse the
control characters (Unicode category Cc: NUL, tab, line feed, carriage return, escape,
delete, the C1 range) and the Unicode line and paragraph separators.

The rule is a field validator, so that the admin's and the app's forms give the message
on the field, and the catalogue import checks the same rule on each row
(careers/interchange.py). There is no database CheckConstraint for it: the only portable
form would be a regex (a Python function registered by Django on SQLite, POSIX regex on
PostgreSQL, with literal control characters written into the DDL) or one
`NOT LIKE` per character and column, and every write path already checks it.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

LINE_SEPARATORS = {"\u2028", "\u2029"}


def is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in LINE_SEPARATORS


# The characters of `is_control` as one regex, so that a name is scanned in C (an
# import checks 100,000 of them). Category Cc is U+0000-U+001F and U+007F-U+009F, a set
# Unicode's stability policy keeps; tests/careers/test_import_bulk.py checks every code
# point against `is_control`.
_CONTROL_CHARACTERS = [
    char for char in [*map(chr, range(0x100)), *sorted(LINE_SEPARATORS)] if is_control(char)
]
_CONTROL = re.compile("[" + "".join(map(re.escape, _CONTROL_CHARACTERS)) + "]")


def has_control_characters(value: str) -> bool:
    return _CONTROL.search(value) is not None


def single_line(value: str) -> str:
    """The text with each run of control characters and whitespace turned into a space."""
    return " ".join("".join(" " if is_control(c) else c for c in value).split())


@deconstructible
class NoControlCharacters:
    message = _(
        "Remove the line breaks, tabs and other control characters: a name is one line of text."
    )
    code = "control_characters"

    def __call__(self, value: str) -> None:
        if isinstance(value, str) and has_control_characters(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters)

    def __hash__(self) -> int:
        return hash(self.code)


no_control_characters = NoControlCharacters()
