"""The plans a team's members shared with its managers, on the team's page."""

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from teams.models import Team, TeamMembership

from ..models import PlanItem

register = template.Library()


@register.inclusion_tag("plans/_team_shared.html")
def shared_plans(team: Team) -> dict:
    """The members who shared their plan with this team, with their items' counts
    (2 queries, whatever the team's size)."""
    members = list(
        TeamMembership.objects.filter(
            team=team, kind=TeamMembership.Kind.MEMBER, user__plan_shares__team=team
        )
        .select_related("user")
        .order_by("user__username")
    )
    today = timezone.localdate()
    open_ = Q(status__in=PlanItem.ACTIVE)
    counts = {
        row["owner"]: row
        for row in PlanItem.objects.filter(owner__in=[m.user_id for m in members])
        .exclude(status=PlanItem.Status.DROPPED)
        .values("owner")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=PlanItem.Status.DONE)),
            agreed=Count("pk", filter=Q(agreed_at__isnull=False)),
            overdue=Count("pk", filter=open_ & Q(due_date__lt=today)),
        )
    }
    empty = {"total": 0, "done": 0, "agreed": 0, "overdue": 0}
    return {"team": team, "rows": [(m.user, counts.get(m.user_id, empty)) for m in members]}
