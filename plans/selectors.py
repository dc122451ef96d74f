"""The plan as its page shows it: items with their texts in one language, and progress."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

import scoring
from assessments.models import Assessment
from assessments.planning import Path
from assessments.results import pick, resource_facts, web_link
from teams.models import TeamMembership

from .forms import PlanItemForm
from .models import PlanComment, PlanItem, PlanShare
from .services import step_key


@dataclass
class ShownItem:
    item: PlanItem
    skill_name: str
    title: str
    url: str
    facts: list[str]
    overdue: bool
    form: PlanItemForm
    conflict: PlanItem | None = None  # the saved item, when this tab's change was refused


@dataclass
class Progress:
    total: int  # every item but the dropped ones
    done: int
    overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Plan:
    open: list[ShownItem] = field(default_factory=list)  # overdue first, then by due date
    done: list[ShownItem] = field(default_factory=list)
    dropped: list[ShownItem] = field(default_factory=list)
    progress: Progress = field(default_factory=lambda: Progress(0, 0, 0))


def shown(item: PlanItem, today: date, form: PlanItemForm | None = None) -> ShownItem:
    step = item.step or {}
    return ShownItem(
        item=item,
        skill_name=item.skill.name if item.skill else item.skill_code,
        title=pick(step.get("title")) if step else item.title,
        url=web_link(step.get("url", "") if step else item.url),
        facts=resource_facts(step) if step else [],  # type: ignore[arg-type]
        overdue=item.is_overdue(today),
        form=form or PlanItemForm(instance=item, initial={"revision": item.revision}),
    )


def plan_of(user, forms: dict[int, PlanItemForm] | None = None) -> Plan:
    """The person's plan (2 queries: the items, their comments); `forms` replaces the
    forms of some items (a refused change shown again)."""
    today = timezone.localdate()
    forms = forms or {}
    plan = Plan()
    items = (
        PlanItem.objects.filter(owner=user)
        .select_related("skill", "agreed_by")
        .prefetch_related(Prefetch("comments", PlanComment.objects.select_related("author")))
    )
    for item in items:
        row = shown(item, today, forms.get(item.pk))
        if item.is_open:
            plan.open.append(row)
        elif item.status == PlanItem.Status.DONE:
            plan.done.append(row)
        else:
            plan.dropped.append(row)
    plan.open.sort(key=lambda row: not row.overdue)  # stable: due date order kept
    counted = len(plan.open) + len(plan.done)
    overdue = sum(row.overdue for row in plan.open)
    plan.progress = Progress(total=counted, done=len(plan.done), overdue=overdue)
    return plan


def mark_planned(user, snapshot: scoring.Snapshot, path: Path) -> None:
    """Mark the path's next steps that are open in the person's plan (1 query), so that
    the page says so instead of offering to add them again."""
    keys = set(
        PlanItem.objects.filter(owner=user, status__in=PlanItem.ACTIVE)
        .exclude(step_key="")
        .values_list("skill_code", "step_key")
    )
    if not keys:
        return
    for gap in path.steps:
        frozen = scoring.next_steps(snapshot["skills"][gap.code], gap.level, gap.target)
        for row, step in zip(gap.next_steps, frozen, strict=True):
            row["planned"] = (gap.code, step_key(step)) in keys


@dataclass(frozen=True)
class Sharing:
    team_id: int
    team_name: str
    shared: bool


def sharing_of(user) -> list[Sharing]:
    """The teams the person is a member of, and whether their plan is shared with each
    team's managers (1 query)."""
    memberships = (
        TeamMembership.objects.filter(user=user, kind=TeamMembership.Kind.MEMBER)
        .select_related("team")
        .annotate(shared=Exists(PlanShare.objects.filter(owner=user, team=OuterRef("team"))))
        .order_by("team__name", "team_id")
    )
    return [Sharing(m.team_id, m.team.name, m.shared) for m in memberships]


@dataclass(frozen=True)
class LoopRow:
    """A plan item made before a result, and where its skill stands in that result."""

    shown: ShownItem
    level_now: int | None  # None: the result did not assess the skill

    @property
    def verdict(self) -> str:
        """reached (at the level aimed at), raised, unchanged or unassessed."""
        item = self.shown.item
        if self.level_now is None:
            return "unassessed"
        if self.level_now >= item.target_level:
            return "reached"
        return "raised" if self.level_now > item.level_then else "unchanged"


# Longer than any transaction: by then an item made before a result's submission has
# been committed, and none made later can be dated before it.
SETTLED_SECONDS = 60
NEVER = None  # plan_loop: this result has no loop, and never will


def plan_loop(user, result_pk: int) -> list[LoopRow] | None:
    """The person's plan items made before this result of theirs was submitted, each
    with its skill's level in it (1 query without a plan, 3 with one). NEVER when none
    was made before it and it was submitted long enough ago: an item made later is
    dated after it, so the result's page may be kept with no loop for good."""
    found = (
        Assessment.objects.filter(pk=result_pk, owner=user)
        .annotate(planned=Exists(PlanItem.objects.filter(owner_id=user.pk)))
        .values_list("planned", "submitted_at")
        .first()
    )
    planned, submitted_at = found or (False, None)
    if submitted_at is None:
        return []  # not the person's result, or not a submitted one
    settled = timezone.now() - submitted_at > timedelta(seconds=SETTLED_SECONDS)
    if not planned:  # most people: one cheap query
        return NEVER if settled else []
    before = PlanItem.objects.filter(owner=user, created_at__lt=submitted_at)
    items = list(before.exclude(status=PlanItem.Status.DROPPED).select_related("skill"))
    if not items:
        # Only dropped items (which may be taken up again), or none at all.
        return NEVER if settled and not before.exists() else []
    levels = (
        Assessment.objects.filter(pk=result_pk).values_list("snapshot__levels", flat=True).first()
    ) or {}
    today = timezone.localdate()
    return [LoopRow(shown(item, today), levels.get(item.skill_code)) for item in items]


def plan_loop_html(user, result_pk: int) -> str | None:
    """The loop above the result page; None (NEVER) when it can be left out for good."""
    rows = plan_loop(user, result_pk)
    if rows is NEVER:
        return None
    return render_to_string("plans/_loop.html", {"rows": rows}) if rows else ""
