"""The one CSV writer every export uses: risky text neutralised, numbers left numbers."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careers.csvcells import RISKY_FIRST, csv_cell, csv_text, csv_writer

# OWASP's "CSV Injection" examples and the issue's, one per risky first character.
PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C notepad'!A1",
    "@SUM(1+1)",
    "+1+1",
    "-1+1",
    "\t=1+1",
    "\r=1+1",
    '=1+2";=1+2',
    "=1+2'\" ;,=1+2",
]


def written(*rows) -> str:
    out = io.StringIO()
    csv_writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("text", PAYLOADS)
def test_risky_text_is_quoted_and_prefixed(text):
    line = written([text])

    assert line == '"' + "'" + text.replace('"', '""') + '"\n'
    (cell,) = next(csv.reader(io.StringIO(line, newline="")))
    assert cell == "'" + text
    assert csv_text(cell) == text


def test_the_owasp_examples_are_escaped_as_the_page_shows():
    assert written(['=1+2";=1+2']) == '"\'=1+2"";=1+2"\n'
    assert written(["=1+2'\" ;,=1+2"]) == '"\'=1+2\'"" ;,=1+2"\n'


def test_numbers_stay_numbers_and_text_that_looks_like_one_is_text():
    """A gap of -1 is a number, written bare; the text "-1" (a name) is neutralised."""
    assert written([-1, 2.5, Decimal("-0.5"), 0, "-1", "3", None, ""]) == (
        '-1,2.5,-0.5,0,"\'-1","3","",""\n'
    )


def test_safe_text_is_written_as_it_is():
    assert [csv_cell(t) for t in ("TPM", "planning", "'t Hooft", " =x", "a=b", "")] == [
        "TPM",
        "planning",
        "'t Hooft",
        " =x",
        "a=b",
        "",
    ]
    assert csv_cell(True) == "True", "a bool is not a number to sum"


def test_text_already_quoted_before_a_risky_character_gets_one_quote_more():
    assert csv_cell("'=1+1") == "''=1+1"
    assert csv_cell("''@x") == "'''@x"
    assert [csv_text(c) for c in ("''=1+1", "'''@x", "'t Hooft", "'")] == [
        "'=1+1",
        "''@x",
        "'t Hooft",
        "'",
    ]


@given(st.text())
def test_every_text_reads_back_as_written_and_never_starts_risky(text):
    cell = csv_cell(text)

    assert isinstance(cell, str) and not cell.startswith(RISKY_FIRST)
    assert csv_text(cell) == text
