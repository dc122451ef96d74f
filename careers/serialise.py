"""Catalogue rows as plain JSON values, text in both languages.

One shape for each kind of row that both the result snapshot
(`selectors.catalogue_snapshot`) and the catalogue export
(`interchange.catalogue_document`) write. The callers fetch the rows and choose their
order; these functions only turn one row, with its prefetched children, into JSON.
"""

from django.db import models

from scoring import SnapshotAction, SnapshotCareer, SnapshotCareerStep

from .models import NextStepAction, Role, Skill, indicator_lines
from .services import LANGUAGES, RESOURCE_FIELDS


def texts(obj: models.Model, field: str) -> dict[str, str]:
    """A translated field in every language, e.g. {"fr": "...", "en": ""}."""
    return {lang: getattr(obj, f"{field}_{lang}") or "" for lang in LANGUAGES}


def descriptors(skill: Skill) -> dict[str, dict[str, str]]:
    """The skill's level descriptors by level ("1" to "4"), from its `levels`."""
    return {str(lv.level): texts(lv, "descriptor") for lv in skill.levels.all()}


def indicators(skill: Skill) -> dict[str, dict[str, list[str]]]:
    """The skill's behavioural indicators by level, from its `levels`: only the levels
    that have some, each language a list of lines."""
    found = {}
    for lv in skill.levels.all():
        lines = {
            lang: indicator_lines(getattr(lv, f"indicators_{lang}") or "") for lang in LANGUAGES
        }
        if any(lines.values()):
            found[str(lv.level)] = lines
    return found


def action(action: NextStepAction) -> SnapshotAction:
    """A next step; its learning resource's keys only where they are given."""
    row: SnapshotAction = {
        "level": action.level,
        "kind": action.kind,
        "title": texts(action, "title"),
        "detail": texts(action, "detail"),
    }
    for name in RESOURCE_FIELDS:
        if value := getattr(action, name):
            row[name] = value  # type: ignore[literal-required]
    duration = texts(action, "duration")
    if any(duration.values()):
        row["duration"] = duration
    return row


def career(role: Role) -> SnapshotCareer:
    """The role's career steps from and to, in the order of its `career_steps`: each its
    name and the code of the catalogue role it links to (or None)."""

    def steps(direction: str) -> list[SnapshotCareerStep]:
        return [
            {
                "name": texts(step, "name"),
                "role": step.linked_role.code if step.linked_role else None,
            }
            for step in role.career_steps.all()
            if step.direction == direction
        ]

    return {"from": steps("from"), "to": steps("to")}
