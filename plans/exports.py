"""The plan on a result's pages and in its files, registered in assessments.extensions
(plans/apps.py): the path's buttons, what became of the earlier plan above a result, the
JSON `plan` key, the workbook's Plan sheet, the report's plan.

The plan of a result is the items made from it. A file shows them to whoever may read
them (plans/access.py): the owner, and the managers of a team the plan is shared with.
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from assessments.spreadsheets import add_table

from .access import readable_items
from .selectors import ShownItem, mark_planned, plan_loop_html, shown


def plan_rows(reader, result) -> list[ShownItem]:
    """The items made from `result` that `reader` may read (1 query)."""
    items = readable_items(reader).filter(result=result).select_related("skill", "agreed_by")
    today = timezone.localdate()
    return [shown(item, today) for item in items.order_by("due_date", "created_at", "pk")]


def plan_document(rows: list[ShownItem]) -> list[dict[str, Any]]:
    """The `plan` key of the result JSON (docs/DESIGN.md, the result export contract)."""
    return [
        {
            "skill": row.item.skill_code,
            "action": row.title,
            "url": row.url,
            "from_catalogue": row.item.step is not None,
            "level_then": row.item.level_then,
            "target": row.item.target_level,
            "status": row.item.status,
            "due_date": row.item.due_date.isoformat() if row.item.due_date else None,
            "done_at": row.item.done_at.isoformat() if row.item.done_at else None,
            "agreed": row.item.agreed_at is not None,
            "notes": row.item.notes,
            "evidence": row.item.evidence,
        }
        for row in rows
    ]


# The functions assessments.extensions calls.


def path_context(request, result, snapshot, path) -> dict[str, Any]:
    """The owner's path offers each next step to the plan; a manager only reads it."""
    if result.owner_id != request.user.pk:
        return {}
    mark_planned(request.user, snapshot, path)
    return {"plan": {"result": result.pk, "role": path.code, "next": request.get_full_path()}}


def result_page_html(user, result_id: int) -> str | None:
    return plan_loop_html(user, result_id)


def result_json(reader, result) -> dict[str, Any]:
    return {"plan": plan_document(plan_rows(reader, result))}


def result_report(reader, result) -> dict[str, Any]:
    return {"plan": plan_rows(reader, result)}


def result_workbook(reader, result, book: Workbook) -> None:
    """A Plan sheet, when the result has a plan the reader may read."""
    if rows := plan_rows(reader, result):
        plan_sheet(book, rows)


def plan_sheet(book: Workbook, plan: list[ShownItem]) -> None:
    """The plan made from the result, one row per item."""
    add_table(
        book,
        _("Plan"),
        [
            _("Skill"),
            _("Action"),
            _("Link"),
            _("Level then"),
            _("Level aimed at"),
            _("Status"),
            _("Due date"),
            _("Done on"),
            _("Agreed"),
            _("Notes"),
            _("Evidence of completion"),
        ],
        (
            [
                row.skill_name,
                row.title,
                row.url or None,
                row.item.level_then,
                row.item.target_level,
                row.item.get_status_display(),
                row.item.due_date,
                timezone.localtime(row.item.done_at).date() if row.item.done_at else None,
                _("yes") if row.item.agreed_at else None,
                row.item.notes or None,
                row.item.evidence or None,
            ]
            for row in plan
        ),
        formats={7: "yyyy-mm-dd", 8: "yyyy-mm-dd"},
    )
