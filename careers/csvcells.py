"""CSV files that are safe to open in a spreadsheet program: every CSV the app writes
goes through `csv_writer` (the result's gaps.csv, a cycle's matrix.csv, the catalogue
export).

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and one
that starts with a tab or a carriage return after trimming it, so a skill name such as
`=HYPERLINK("http://x","y")` or a username such as `-1+1` would run in whoever opens
the file. OWASP's "CSV Injection" page gives the remedy followed here: such a text cell
is prefixed with a single quote, which spreadsheets read as "this is text" and do not
show, every text cell is wrapped in double quotes and its double quotes are doubled
(`csv.QUOTE_NONNUMERIC`), so that no separator or quote inside a name can start a new
cell in the middle of it.

Numbers are told apart by their Python type, never by their look: an int, a float or a
Decimal (a fit, a level, a gap of -1) is written bare, as a number the spreadsheet can
sum; a str is text, even "-1", and is neutralised. None is an empty cell.

The prefix is undone by `csv_text` on reading a file back (the catalogue import), so
that an export imports to the same records. For that to hold for a text that already
starts with quotes before a risky character (`'=x`), the rule counts them: a text made
of quotes then a risky character gets one more quote on writing, and one quote fewer on
reading. Any other text, `'t Hooft` included, is written and read as it is.
"""

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r")
_WRITTEN_RISKY = re.compile(r"'*[=+\-@\t\r]")
_READ_RISKY = re.compile(r"'+[=+\-@\t\r]")
_FIRST = frozenset(["'", *RISKY_FIRST])

Number = int | float | Decimal


class _Text(Protocol):
    def write(self, text: str, /) -> Any: ...


def is_number(value: Any) -> bool:
    """A value written as a number (bare): int, float or Decimal, but not a bool."""
    return isinstance(value, Number) and not isinstance(value, bool)


def csv_cell(value: Any) -> Number | str:
    """What the file holds for `value`: a number as it is, any other value as its text,
    with a quote before a risky first character."""
    if value.__class__ is not str:  # the common case first: a matrix has 50,000 cells
        if is_number(value):
            return value
        value = "" if value is None else str(value)
    return "'" + value if value[:1] in _FIRST and _WRITTEN_RISKY.match(value) else value


def csv_text(cell: str) -> str:
    """A text cell of a file `csv_writer` wrote, as it was before `csv_cell`."""
    return cell[1:] if cell.startswith("'") and _READ_RISKY.match(cell) else cell


class SafeWriter:
    """`csv.writer`'s writerow and writerows, every cell through `csv_cell`."""

    def __init__(self, out: _Text, **options: Any) -> None:
        self._writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(list(map(csv_cell, row)))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        self._writer.writerows(list(map(csv_cell, row)) for row in rows)


def csv_writer(out: _Text, **options: Any) -> SafeWriter:
    """A CSV writer for `out` (a response, a StringIO); `options` as for `csv.writer`
    (delimiter, lineterminator), except the quoting, which is always QUOTE_NONNUMERIC."""
    return SafeWriter(out, **options)
