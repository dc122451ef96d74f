"""The team's development plans, for its managers: on the team page and under the board."""

from typing import Any

from django import template
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from assessments.results import pick
from careers.signals import keep_under_catalogue, kept_under_catalogue
from teams.dashboard import MIN_GROUP
from teams.models import Team, TeamMembership

from ..models import PlanItem, PlanShare

register = template.Library()
MOST_PLANNED = 5
KEPT_SECONDS = 24 * 3600  # a day's figures: the key changes with the day


@register.simple_tag
def team_plans(team: Team) -> str:
    """The team's plans, kept rendered under the team's revision, which every change
    they show bumps (plans/services.py, teams/revision.py), and the day (what is
    overdue); the catalogue version stands for the skills' names. None kept: 2 queries
    (3 with the skills), whatever the team's size."""
    today = timezone.localdate()
    key = f"team-plans:{team.pk}:{team.revision}:{today.isoformat()}:{get_language()}"
    version, html = kept_under_catalogue(key)
    if html is None:
        html = render_to_string("plans/_team_plans.html", _team_plans(team, today))
        keep_under_catalogue(key, version, html, KEPT_SECONDS)
    return mark_safe(html)  # rendered by the template engine, escaped there


def _team_plans(team: Team, today) -> dict:
    """The members who have a plan, each with its counts (items, done, agreed, overdue)
    and a link where they shared it; the skills most members plan, once 3 members have a
    plan (as every group figure). A member without a plan costs nothing."""
    items = PlanItem.objects.filter(
        owner__team_memberships__team=team,
        owner__team_memberships__kind=TeamMembership.Kind.MEMBER,
    ).exclude(status=PlanItem.Status.DROPPED)
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
