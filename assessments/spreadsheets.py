"""Spreadsheet (XLSX) exports of a result, and the helpers every workbook uses, built
with openpyxl from data the views already gathered.

Plain data in, a workbook out: no ORM and no request here, so the files cost the page
no query of their own. Sheet titles and headers follow the active language; numbers
stay numbers (fit with one decimal), so that HR can sort, filter and chart them.
"""

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from careers.bidi import isolated

from .results import RoleResult

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIT_FORMAT = "0.0"
APPLICATION = "Cap Compétences"

MIN_WIDTH, MAX_WIDTH = 6, 60
WRAP = Alignment(wrap_text=True, vertical="top")


def workbook_bytes(book: Workbook) -> bytes:
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def new_workbook(title: str) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    book.properties.title = title
    book.properties.creator = APPLICATION
    return book


def clean_cell(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    sheet.append([clean_cell(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if not isinstance(cell.value, str):
            continue
        # openpyxl stores text starting with "=" as a formula: catalogue text and names
        # are data, never something for the spreadsheet program to run.
        if cell.value.startswith("="):
            cell.data_type = "s"
        # Wider than a column can be (fit_widths): wrapped in its cell, not cut off.
        if len(cell.value) > MAX_WIDTH - 2:
            cell.alignment = WRAP


def add_table(
    book: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    formats: dict[int, str] | None = None,
    freeze: str = "A2",
) -> Worksheet:
    """A sheet with a bold, frozen header row; `formats` maps 1-based columns to formats."""
    sheet = book.create_sheet(title)
    append_row(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    for column, number_format in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = number_format
    sheet.freeze_panes = freeze
    fit_widths(sheet)
    return sheet


def fit_widths(sheet: Worksheet, skip: int = 0) -> None:
    """Each column as wide as its longest text (within bounds), after the first `skip`."""
    for column in sheet.iter_cols(min_col=skip + 1):
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=0)
        width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
        sheet.column_dimensions[column[0].column_letter].width = width


# --- a person's result ---------------------------------------------------------------


def _role_label(name: str, code: str) -> str:
    """ "Technical Program Manager (TPM)"; a name that already holds its code stays as is.
    The name is isolated for direction: an override in it cannot reverse "(TPM)"."""
    return name if code in name else f"{isolated(name)} ({code})"


def result_mark(provisional: bool) -> str:
    """How a file names a result's mode: a quick result is provisional."""
    return _("Provisional (quick assessment)") if provisional else _("Full assessment")


def result_workbook(
    results: Sequence[RoleResult],
    *,
    history_codes: Sequence[str],
    history: Sequence[dict[str, Any]],
    role_names: dict[str, str],
    current: int | None = None,
    provisional: bool = False,
) -> Workbook:
    """Gap table, strengths, next steps and history of one result.

    `results` is build_result()'s list (roles in fit order, skills in gap order);
    `history_codes` and `history` come from fit_history(); `current` is the exported
    assessment's id, whose history row is set in bold. `provisional` says the result
    is a quick one: the gap table's last column and the workbook's title say so, and the
    history marks each quick result in its own last column.
    """
    mark = result_mark(provisional)
    book = new_workbook(_("Skills self-assessment") + (f" · {mark}" if provisional else ""))
    add_table(
        book,
        _("Gap table"),
        [
            _("Role"),
            _("Role code"),
            _("Fit (%)"),
            _("Skill"),
            _("Category"),
            _("Weight"),
            _("Target"),
            _("Level"),
            _("Gap"),
            _("Priority"),
            _("Result"),
        ],
        (
            [role.name, role.code, role.fit, row.name, row.category]
            + [row.weight, row.target, row.level, row.gap, row.priority, mark]
            for role in results
            for row in role.rows
        ),
        formats={3: FIT_FORMAT},
    )
    add_table(
        book,
        _("Strengths"),
        [
            _("Role"),
            _("Role code"),
            _("Skill"),
            _("Category"),
            _("Weight"),
            _("Target"),
            _("Level"),
        ],
        (
            [role.name, role.code, row.name, row.category, row.weight, row.target, row.level]
            for role in results
            for row in role.strengths
        ),
    )
    add_table(
        book,
        _("Next steps"),
        [
            _("Role"),
            _("Role code"),
            _("Skill"),
            _("Priority"),
            _("Action"),
            _("Title"),
            _("Detail"),
            _("Link"),
            _("Learning resource"),
        ],
        (
            [role.name, role.code, row.name, row.priority]
            + [step["kind_label"], step["title"], step["detail"] or None]
            + [step["url"] or None, " · ".join(step["facts"]) or None]
            for role in results
            for row in role.gaps
            for step in row.next_steps
        ),
    )
    sheet = add_table(
        book,
        _("History"),
        [_("Submitted")]
        + [_role_label(role_names.get(code, code), code) for code in history_codes]
        + [_("Result")],
        (
            [
                timezone.localtime(row["assessment"].submitted_at).date(),
                *row["cells"],
                result_mark(row["assessment"].is_quick),
            ]
            for row in history
        ),
        formats={1: "yyyy-mm-dd"} | {i: FIT_FORMAT for i in range(2, len(history_codes) + 2)},
    )
    sheet.column_dimensions["A"].width = 12
    for index, row in enumerate(history, start=2):
        if row["assessment"].pk == current:
            for cell in sheet[index]:
                cell.font = Font(bold=True)
    return book
