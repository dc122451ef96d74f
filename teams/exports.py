"""A cycle's files: the board as a PDF report, the matrix as CSV, JSON or XLSX.

They are made by a task (teams/tasks.py: `build_export`) and kept as `CycleExport`
rows under the key of everything they depend on (`export_key`), so asking twice makes
one file, and every app server serves what a worker made. The board's own figures
(`board_context`) are shared with the dashboard page.
"""

import io
import json
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from assessments.spreadsheets import XLSX_CONTENT_TYPE, workbook_bytes
from careers.bidi import isolated
from careers.csvcells import csv_writer
from careers.signals import catalogue_version, keep_under_catalogue, kept_under_catalogue
from config.pdf import content_disposition

from .dashboard import Category, CycleFigures, build_dashboard, cycle_figures, matrix_rows
from .models import CycleExport, ReviewCycle
from .scored import board_members, closed_figures, previous_figures
from .selectors import (
    catalogue_order,
    cycle_members,
    dashboard_data,
    previous_cycle,
    skill_categories,
)
from .spreadsheets import matrix_workbook

# How long a reading of the catalogue is kept: its key changes with the catalogue
# anyway, this only lets entries nobody asks for any more leave the cache.
CYCLE_CACHE_SECONDS = 3600

MATRIX_COLUMNS = [
    "member",
    "role",
    "skill",
    "skill_name",
    "self",
    "manager",
    "used",
    "target",
    "gap",
    "mode",  # "quick": a provisional result (core skills only), "full" otherwise
]

CONTENT_TYPES: dict[str, str] = {
    CycleExport.Format.PDF: "application/pdf",
    CycleExport.Format.JSON: "application/json",
    CycleExport.Format.CSV: "text/csv; charset=utf-8",
    CycleExport.Format.XLSX: XLSX_CONTENT_TYPE,
}


def export_key(cycle: ReviewCycle, fmt: str) -> dict[str, Any]:
    """What the file depends on, as `CycleExport` fields: the team's revision (read with
    the cycle, before any data), the catalogue version, the language and the release."""
    return {
        "cycle": cycle,
        "format": fmt,
        "language": get_language(),
        "revision": cycle.team.revision,
        "catalogue": catalogue_version(),
        "release": settings.RELEASE,
    }


def export_filename(cycle: ReviewCycle, fmt: str) -> str:
    if fmt == CycleExport.Format.PDF:
        return f"{cycle.team.name}-{cycle.name}.pdf"
    return f"team-{cycle.team_id}-cycle-{cycle.pk}.{fmt}"


def export_headers(cycle: ReviewCycle, fmt: str) -> dict[str, str]:
    name = export_filename(cycle, fmt)
    # The report is named after the team and cycle (any script); the matrix, by ids.
    disposition = content_disposition(name) if fmt == "pdf" else f'attachment; filename="{name}"'
    return {"Content-Type": CONTENT_TYPES[fmt], "Content-Disposition": disposition}


def export_bytes(cycle: ReviewCycle, fmt: str) -> bytes:
    """The file, in the active language."""
    if fmt == CycleExport.Format.PDF:
        return report_pdf(cycle)
    data = matrix_document(cycle)
    if fmt == CycleExport.Format.JSON:
        return json.dumps(data, ensure_ascii=False, indent=2).encode()
    rows = data["rows"]
    if fmt == CycleExport.Format.CSV:
        text = io.StringIO()
        text.write("\ufeff")
        writer = csv_writer(text)
        writer.writerow(MATRIX_COLUMNS)
        writer.writerows([row[column] for column in MATRIX_COLUMNS] for row in rows)
        return text.getvalue().encode()
    if fmt == CycleExport.Format.XLSX:
        title = f"{isolated(cycle.team.name)} · {isolated(cycle.name)}"
        return workbook_bytes(matrix_workbook(rows, columns=MATRIX_COLUMNS, title=title))
    raise ValueError(f"unknown export format {fmt!r}")


def matrix_document(cycle: ReviewCycle) -> dict[str, Any]:
    """The matrix JSON file's document (and the API's matrix)."""
    rows = matrix_rows(dashboard_data(cycle_members(cycle)))
    return {"team": cycle.team.name, "cycle": cycle.name, "rows": rows}


def report_pdf(cycle: ReviewCycle) -> bytes:
    """The cycle's board as a PDF report: the dashboard's figures, and the heatmap summed
    up per skill (a 50 x 30 grid does not fit a page)."""
    from weasyprint import HTML  # loads Pango: only when a PDF is made

    context = board_context(cycle)
    board = context["board"]
    below = [
        {
            "name": name,
            "of": len(cells),
            "below": sum(1 for cell in cells if cell.delta < 0),
            "far": sum(1 for cell in cells if cell.delta <= -2),
            "coverage": board.coverage[index],
        }
        for index, (_code, name) in enumerate(board.skills)
        if (
            cells := [
                cell
                for row in board.rows
                if not row.provisional and (cell := row.cells[index]) is not None
            ]
        )
    ]
    below.sort(key=lambda skill: -skill["below"])
    context |= {"heat_summary": below, "today": timezone.localdate()}
    html = render_to_string("teams/cycle_pdf.html", context)
    return HTML(string=html, base_url=settings.SITE_URL + "/").write_pdf()


# --------------------------------------------------------------- the board's figures


def catalogue_readings() -> tuple[dict[str, tuple[int, ...]], dict[str, Category]]:
    """Today's catalogue as the board reads it (its skills' order, their categories named
    in the language), kept under the catalogue version: 1 cache read instead of 3 queries."""
    key = f"board-catalogue:{get_language()}"
    version, kept = kept_under_catalogue(key)
    if kept is None:
        kept = (catalogue_order(), skill_categories())
        keep_under_catalogue(key, version, kept, CYCLE_CACHE_SECONDS)
    return kept


def board_context(cycle: ReviewCycle) -> dict:
    """The board's figures: each member's scored row is kept until their data changes
    (teams/scored.py), the team's figures are sums over the rows."""
    language = get_language()
    rows, members, load_actions = board_members(cycle, language)
    before = previous_cycle(cycle)
    skill_order, categories = catalogue_readings()
    return {
        "categories": categories,
        "team": cycle.team,
        "cycle": cycle,  # closing it bumps the team's revision, so the kept board follows
        "members": rows,
        "board": build_dashboard(
            members,
            language=language,
            load_actions=load_actions,
            previous_figures=_previous_figures(before, rows, language),
            skill_order=skill_order,
        ),
        "previous": before,
    }


def _previous_figures(before: ReviewCycle | None, rows: list, language: str) -> CycleFigures | None:
    """The previous cycle's figures, for the team's members of today. A closed cycle's
    are stored on it (written when it closed; for a cycle closed before they were, once,
    on first need); an open one's are summed from its kept scored rows."""
    if before is None:
        return None
    if before.closed_at is None:
        return cycle_figures(board_members(before, language)[1], language)
    if before.figures is None:
        before.figures = closed_figures(before)
        ReviewCycle.objects.filter(pk=before.pk, figures__isnull=True).update(
            figures=before.figures
        )
    user_ids = [row.membership.user_id for row in rows if row.membership]
    return previous_figures(before, user_ids, language)
