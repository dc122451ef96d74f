"""The team's development plans, for its managers: on the team page and under the board."""

from django import template
from django.db.models import Count, Exists, Max, OuterRef, Q
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
    """Per member, their plan's counts (items, done, agreed, overdue) and whether they
    shared it (a link then); the skills most members plan, once 3 members have a plan
    (as every group figure). 3 queries, whatever the team's size."""
    members = list(
        TeamMembership.objects.filter(team=team, kind=TeamMembership.Kind.MEMBER)
        .select_related("user")
        .annotate(shared=Exists(PlanShare.objects.filter(team=team, owner=OuterRef("user"))))
        .order_by("user__username")
    )
    owners = [m.user_id for m in members]
    items = PlanItem.objects.filter(owner__in=owners).exclude(status=PlanItem.Status.DROPPED)
    today = timezone.localdate()
    counts = {
        row["owner"]: row
        for row in items.values("owner").annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=PlanItem.Status.DONE)),
            agreed=Count("pk", filter=Q(agreed_at__isnull=False)),
            overdue=Count("pk", filter=Q(status__in=PlanItem.ACTIVE) & Q(due_date__lt=today)),
        )
    }
    most: list[dict] = []
    if len(counts) >= MIN_GROUP:
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
    empty = {"total": 0, "done": 0, "agreed": 0, "overdue": 0}
    rows = [(m, counts.get(m.user_id, empty)) for m in members]
    return {"team": team, "rows": rows, "most": most, "planning": len(counts)}
