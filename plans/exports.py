"""A result's plan in its files: the JSON `plan` key, the workbook's sheet, the report.

The plan of a result is the items made from it. A file shows them to whoever may read
them (plans/access.py): the owner, and the managers of a team the plan is shared with.
"""

from typing import Any

from django.utils import timezone

from assessments.models import Assessment

from .access import readable_items
from .selectors import ShownItem, shown


def plan_rows(reader, result: Assessment) -> list[ShownItem]:
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
