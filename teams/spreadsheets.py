"""The team cycle's matrix as a spreadsheet (XLSX): the heatmap, its rows, a legend.

Plain data in, a workbook out (no ORM, no request), like assessments.spreadsheets,
whose helpers it uses.
"""

from collections import defaultdict
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from assessments.spreadsheets import add_table, append_row, fit_widths, new_workbook

from .dashboard import heat_key

# The team dashboard heatmap's colours (static/css/app.css, .heat-*), as (fill, text):
# the colour says how far the level used is from the member's target.
HEAT = {
    "m2": ("B3261E", "FFFFFF"),
    "m1": ("F6C1A0", "3B1D00"),
    "0": ("CFE9D6", "0F3D1F"),
    "p1": ("2E7D4F", "FFFFFF"),
    "na": ("F1F3F6", "3D4654"),
}


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
        "mode": _("Mode"),
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
    book = new_workbook(title or _("Skills matrix"))
    skills = _skill_columns(rows)
    sheet = book.create_sheet(_("Matrix"))
    headers = _matrix_headers()
    append_row(sheet, [headers["member"], headers["role"], *(name for _code, name in skills)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    centre = Alignment(horizontal="center")
    for member, member_rows in groupby(rows, key=lambda r: r["member"]):
        by_skill = {row["skill"]: row for row in member_rows}
        first = next(iter(by_skill.values()))
        # A quick result is provisional: the member's cell says so (the Data sheet's
        # mode column too), and the legend explains it.
        label = f"{member} · {_('Provisional')}" if first.get("mode") == "quick" else member
        append_row(sheet, [label, first["role"]])
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
    fit_widths(sheet)
    for index in range(3, len(skills) + 3):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 14
    sheet.row_dimensions[1].height = 48

    add_table(
        book,
        _("Data"),
        [headers.get(key, key) for key in columns],
        ([row[key] for key in columns] for row in rows),
    )

    legend = book.create_sheet(_("Legend"))
    append_row(legend, [_("Colours of the matrix")])
    legend["A1"].font = Font(bold=True)
    append_row(
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
        append_row(legend, [sample, text])
        cell = legend.cell(legend.max_row, 1)
        cell.fill, cell.font = _fill(key)
        cell.alignment = centre
    append_row(legend, [])
    append_row(
        legend,
        [
            "3*/4",
            _(
                "The level used for the team (the manager's rating where there is one, "
                "marked with *), then the member's target."
            ),
        ],
    )
    append_row(
        legend,
        [
            _("Provisional"),
            _(
                "A quick assessment (core skills only; mode “quick” in the data): a "
                "provisional result, counted in no team figure."
            ),
        ],
    )
    legend.column_dimensions["A"].width = 10
    legend.column_dimensions["B"].width = 60
    return book
