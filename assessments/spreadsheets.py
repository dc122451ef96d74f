"""Spreadsheet (XLSX) exports, built with openpyxl from data the views already gathered.

Plain data in, a workbook out: no ORM and no request here, so the files cost the page
no query of their own. Sheet titles and headers follow the active language; numbers
stay numbers (fit with one decimal), so that HR can sort, filter and chart them.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from io import BytesIO
from itertools import groupby
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from .dashboard import heat_key
from .results import RoleResult

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIT_FORMAT = "0.0"
APPLICATION = "Cap Compétences"

# The team dashboard heatmap's colours (static/css/app.css, .heat-*), as (fill, text):
# the colour says how far the level used is from the member's target.
HEAT = {
    "m2": ("B3261E", "FFFFFF"),
    "m1": ("F6C1A0", "3B1D00"),
    "0": ("CFE9D6", "0F3D1F"),
    "p1": ("2E7D4F", "FFFFFF"),
    "na": ("F1F3F6", "3D4654"),
}

MIN_WIDTH, MAX_WIDTH = 6, 60


def workbook_bytes(book: Workbook) -> bytes:
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _new_workbook(title: str) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    book.properties.title = title
    book.properties.creator = APPLICATION
    return book


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _append(sheet: Worksheet, values: Iterable[Any]) -> None:
    sheet.append([_clean(v) for v in values])
    for cell in sheet[sheet.max_row]:
        # openpyxl stores text starting with "=" as a formula: catalogue text and names
        # are data, never something for the spreadsheet program to run.
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def _table(
    book: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    formats: dict[int, str] | None = None,
    freeze: str = "A2",
) -> Worksheet:
    """A sheet with a bold, frozen header row; `formats` maps 1-based columns to formats."""
    sheet = book.create_sheet(title)
    _append(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        _append(sheet, row)
    for column, number_format in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = number_format
    sheet.freeze_panes = freeze
    _fit_widths(sheet)
    return sheet


def _fit_widths(sheet: Worksheet, skip: int = 0) -> None:
    """Each column as wide as its longest text (within bounds), after the first `skip`."""
    for column in sheet.iter_cols(min_col=skip + 1):
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=0)
        width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
        sheet.column_dimensions[column[0].column_letter].width = width


# --- a person's result ---------------------------------------------------------------


def _role_label(name: str, code: str) -> str:
    """ "Technical Program Manager (TPM)"; a name that already holds its code stays as is."""
    return name if code in name else f"{name} ({code})"


def result_workbook(
    results: Sequence[RoleResult],
    *,
    history_codes: Sequence[str],
    history: Sequence[dict[str, Any]],
    role_names: dict[str, str],
    current: int | None = None,
) -> Workbook:
    """Gap table, strengths, next steps and history of one result.

    `results` is build_result()'s list (roles in fit order, skills in gap order);
    `history_codes` and `history` come from fit_history(); `current` is the exported
    assessment's id, whose history row is set in bold.
    """
    book = _new_workbook(_("Skills self-assessment"))
    _table(
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
        ],
        (
            [role.name, role.code, role.fit, row.name, row.category]
            + [row.weight, row.target, row.level, row.gap, row.priority]
            for role in results
            for row in role.rows
        ),
        formats={3: FIT_FORMAT},
    )
    _table(
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
    _table(
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
        ],
        (
            [role.name, role.code, row.name, row.priority]
            + [step["kind_label"], step["title"], step["detail"] or None]
            for role in results
            for row in role.gaps
            for step in row.next_steps
        ),
    )
    sheet = _table(
        book,
        _("History"),
        [_("Submitted")]
        + [_role_label(role_names.get(code, code), code) for code in history_codes],
        (
            [timezone.localtime(row["assessment"].submitted_at).date(), *row["cells"]]
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


# --- a team cycle's matrix -----------------------------------------------------------


def _matrix_headers() -> dict[str, str]:
    """Headers of the matrix's columns (team_views.MATRIX_COLUMNS), in the active language."""
    return {
        "member": _("Member"),
        "role": _("Role"),
        "skill": _("Skill code"),
        "skill_name": _("Skill"),
        "self": _("Self"),
        "manager": _("Manager"),
        "used": _("Level used"),
        "target": _("Target"),
        "gap": _("Gap"),
    }


def _skill_columns(rows: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """(code, name) of every skill in the rows, in catalogue order.

    Each member's rows follow the catalogue over their role's skills only, and a
    snapshot numbers its skills by position within itself, so two members' numbers
    cannot be compared. Their sequences are merged instead: a skill comes after every
    skill that precedes it for some member; ties, first met first.
    """
    names: dict[str, str] = {}
    before: dict[str, set[str]] = defaultdict(set)
    for _member, member_rows in groupby(rows, key=lambda r: r["member"]):
        previous = None
        for row in member_rows:
            names.setdefault(row["skill"], row["skill_name"])
            if previous is not None:
                before[row["skill"]].add(previous)
            previous = row["skill"]
    placed: list[str] = []
    done: set[str] = set()
    pending = list(names)
    while pending:
        # None ready only if two snapshots disagree (the catalogue was reordered
        # between them): then the first met goes first.
        code = next((c for c in pending if before[c] <= done), pending[0])
        pending.remove(code)
        placed.append(code)
        done.add(code)
    return [(code, names[code]) for code in placed]


def _fill(key: str) -> tuple[PatternFill, Font]:
    fill, text = HEAT[key]
    return PatternFill("solid", fgColor=f"FF{fill}"), Font(color=f"FF{text}", bold=key != "na")


def matrix_workbook(
    rows: Sequence[dict[str, Any]],
    *,
    columns: Sequence[str],
    title: str = "",
) -> Workbook:
    """The members-by-skills heatmap, the matrix's rows as they are, and a legend.

    `rows` are the CSV export's rows (dashboard.matrix_rows), one per member and skill
    of their role, with `columns` as their keys. Like the CSV, the file holds each
    member's own figures and nothing summed over the team, so the dashboard's
    MIN_GROUP rule has nothing to hide here.
    """
    book = _new_workbook(title or _("Skills matrix"))
    skills = _skill_columns(rows)
    sheet = book.create_sheet(_("Matrix"))
    headers = _matrix_headers()
    _append(sheet, [headers["member"], headers["role"], *(name for _code, name in skills)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    centre = Alignment(horizontal="center")
    for member, member_rows in groupby(rows, key=lambda r: r["member"]):
        by_skill = {row["skill"]: row for row in member_rows}
        first = next(iter(by_skill.values()))
        _append(sheet, [member, first["role"]])
        line = sheet.max_row
        for index, (code, _name) in enumerate(skills, start=3):
            cell = sheet.cell(line, index)
            row = by_skill.get(code)
            if row is None:
                cell.fill, cell.font = _fill("na")
                continue
            cell.value = row["used"]
            # The page shows "3*/4": level used, * where the manager rated, the target.
            # A number format keeps that look while the cell stays the number 3.
            mark = "*" if row["manager"] is not None else ""
            cell.number_format = f'0"{mark}/{row["target"]}"'
            cell.fill, cell.font = _fill(heat_key(row["used"], row["target"]))
            cell.alignment = centre
    sheet.freeze_panes = "C2"
    _fit_widths(sheet)
    for index in range(3, len(skills) + 3):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 14
    sheet.row_dimensions[1].height = 48

    _table(
        book,
        _("Data"),
        [headers.get(key, key) for key in columns],
        ([row[key] for key in columns] for row in rows),
    )

    legend = book.create_sheet(_("Legend"))
    _append(legend, [_("Colours of the matrix")])
    legend["A1"].font = Font(bold=True)
    _append(
        legend,
        [_("Each colour is the difference between the level used and the member's target.")],
    )
    samples = [
        ("m2", "1/3", _("2 or more below target")),
        ("m1", "2/3", _("1 below")),
        ("0", "3/3", _("at target")),
        ("p1", "4/3", _("above target")),
        ("na", "", _("not required")),
    ]
    for key, sample, text in samples:
        _append(legend, [sample, text])
        cell = legend.cell(legend.max_row, 1)
        cell.fill, cell.font = _fill(key)
        cell.alignment = centre
    _append(legend, [])
    _append(
        legend,
        [
            "3*/4",
            _(
                "The level used for the team (the manager's rating where there is one, "
                "marked with *), then the member's target."
            ),
        ],
    )
    legend.column_dimensions["A"].width = 10
    legend.column_dimensions["B"].width = 60
    return book
