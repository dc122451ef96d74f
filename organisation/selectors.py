"""Reads of the organisation that pages (and later features) share.

The skills inventory reads `LatestLevel`, one row per person and skill kept by the write
path (services.levels_refresh), through its (skill, level, submitted_at) index: a search
is a fixed handful of queries whatever the organisation's size (see `inventory_search`).
"""

import calendar
from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import StartsWith

from careers.models import Role, Skill
from teams.models import TeamMembership

from .models import InventoryConsent, LatestLevel, Unit

PAGE_SIZE = 25
_USER_FIELDS = ("user__username", "user__first_name", "user__last_name")


class _CountDistinct(Func):
    """COUNT(DISTINCT x) as a plain function, so a subquery of it needs no GROUP BY."""

    function = "COUNT"
    template = "%(function)s(DISTINCT %(expressions)s)"
    output_field = IntegerField()


def memberships_under(unit: Unit) -> QuerySet[TeamMembership]:
    """Every place (member or manager) in the teams of the unit and of its sub-units."""
    return TeamMembership.objects.filter(team__unit__path__startswith=unit.path)


def is_findable(user) -> bool:
    return InventoryConsent.objects.filter(user=user, findable=True).exists()


def units_with_counts(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """The units, each with its sub-tree's teams, people, and people who may be found.

    One query: a correlated count per unit and figure (the units a lead sees are tens).
    """
    places = TeamMembership.objects.filter(
        StartsWith(F("team__unit__path"), OuterRef("path"))
    ).order_by()
    return units.annotate(
        team_count=Subquery(
            places.annotate(n=_CountDistinct("team")).values("n"), output_field=IntegerField()
        ),
        people_count=Subquery(
            places.annotate(n=_CountDistinct("user")).values("n"), output_field=IntegerField()
        ),
        findable_count=Subquery(
            places.filter(user__inventory_consent__findable=True)
            .annotate(n=_CountDistinct("user"))
            .values("n"),
            output_field=IntegerField(),
        ),
    )


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st on a shorter
    month's last day)."""
    year, month0 = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


@dataclass(frozen=True)
class Found:
    """One person shown: their figure and where they sit (their teams in the scope)."""

    user_id: int
    name: str
    level: int
    source: str
    dated_at: datetime
    places: list[tuple[str, str]]  # (team name, unit name), by team name

    @property
    def source_label(self) -> str:
        return str(LatestLevel.Source(self.source).label)


@dataclass(frozen=True)
class Inventory:
    page: Page
    found: list[Found]  # the page's people
    shown: int  # people who match and chose to be findable
    hidden: int  # people who match and did not


def inventory_search(
    *,
    unit: Unit,
    skill: Skill,
    min_level: int,
    role: Role | None = None,
    since: datetime | None = None,
    page: int | str = 1,
    page_size: int = PAGE_SIZE,
) -> Inventory:
    """The people of the unit's teams (sub-units included) whose level for the skill is at
    least `min_level`, from their latest submitted result (submitted since `since`), in
    a team where their target role is `role` if one is given.

    Only people who chose to be findable are listed (by level, then the most recent
    figure, then name); the others are only counted. Four queries whatever the size: the
    counts, the page's count (Paginator), the page, the page's teams.
    """
    places = memberships_under(unit)
    if role is not None:
        places = places.filter(target_role=role)
    matches = LatestLevel.objects.filter(
        skill=skill, level__gte=min_level, user__in=places.values("user")
    )
    if since is not None:
        matches = matches.filter(submitted_at__gte=since)
    findable = Q(user__inventory_consent__findable=True)
    counts = matches.aggregate(
        shown=Count("pk", filter=findable), hidden=Count("pk", filter=~findable)
    )
    listed = (
        matches.filter(findable)
        .select_related("user")
        .only("level", "source", "dated_at", "user", *_USER_FIELDS)
        .order_by("-level", "-dated_at", "user__username", "pk")
    )
    shown_page = Paginator(listed, page_size).get_page(page)
    rows = list(shown_page.object_list)
    where: dict[int, list[tuple[str, str]]] = {}
    for user_id, team, unit_name in (
        places.filter(user__in=[row.user_id for row in rows])
        .order_by("team__name", "team__pk")
        .values_list("user_id", "team__name", "team__unit__name")
    ):
        where.setdefault(user_id, []).append((team, unit_name))
    found = [
        Found(
            user_id=row.user_id,
            name=row.user.get_full_name() or row.user.get_username(),
            level=row.level,
            source=row.source,
            dated_at=row.dated_at,
            places=where.get(row.user_id, []),
        )
        for row in rows
    ]
    return Inventory(
        page=shown_page, found=found, shown=counts["shown"] or 0, hidden=counts["hidden"] or 0
    )
