"""The team's development plans, for its managers: on the team page and under the board."""

from typing import Any

from django import template
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import get_language

from assessments.results import pick
from teams.dashboard import MIN_GROUP
from teams.models import Team, TeamMembership

from ..models import PlanItem, PlanShare

register = template.Library()
MOST_PLANNED = 5


@register.inclusion_tag("plans/_team_plans.html")
def team_plans(team: Team) -> dict:
    """The members who have a plan, each with its counts (items, done, agreed, overdue)
    and a link where they shared it; the skills most members plan, once 3 members have a
    plan (as every group figure). 2 queries (3 with the skills), whatever the team's size:
    a member without a plan costs nothing."""
    items = PlanItem.objects.filter(
        owner__team_memberships__team=team,
        owner__team_memberships__kind=TeamMembership.Kind.MEMBER,
    ).exclude(status=PlanItem.Status.DROPPED)
    today = timezone.localdate()
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in items.values("owner", "owner__username")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=PlanItem.Status.DONE)),
            agreed=Count("pk", filter=Q(agreed_at__isnull=False)),
            overdue=Count("pk", filter=Q(status__in=PlanItem.ACTIVE) & Q(due_date__lt=today)),
        )
        .order_by("owner__username", "owner")
    ]
    if rows:
        shared = set(PlanShare.objects.filter(team=team).values_list("owner", flat=True))
        for row in rows:
            row["shared"] = row["owner"] in shared
    most: list[dict] = []
    if len(rows) >= MIN_GROUP:
        language = (get_language() or "fr")[:2]
        most = [
            {
                "name": pick({"fr": row["name_fr"], "en": row["name_en"]}, language)
                or row["skill_code"],
                "people": row["people"],
            }
            for row in items.values("skill_code")
            .annotate(
                people=Count("owner", distinct=True),
                name_fr=Max("skill__name_fr"),
                name_en=Max("skill__name_en"),
            )
            .order_by("-people", "skill_code")[:MOST_PLANNED]
        ]
    return {"team": team, "rows": rows, "most": most}
