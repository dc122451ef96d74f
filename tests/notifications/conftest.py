from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from assessments.models import Answer, Assessment
from teams.models import ReviewCycle, TeamMembership
from teams.services import team_create
from tests.factories import UserFactory


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def today():
    return timezone.localdate()


@pytest.fixture
def world(db, catalogue):
    """A team (manager Maud, members Alice and Bob) and another team (manager Olga)."""
    maud = UserFactory(username="maud", email="maud@example.com")
    alice = UserFactory(username="alice", email="alice@example.com")
    bob = UserFactory(username="bob", email="bob@example.com")
    olga = UserFactory(username="olga", email="olga@example.com")
    team = team_create(manager=maud, name="Plateforme & co")
    other = team_create(manager=olga, name="Autre")
    for user in (alice, bob):
        TeamMembership.objects.create(team=team, user=user)
    return {"team": team, "other": other, "maud": maud, "alice": alice, "bob": bob, "olga": olga}


def cycle_due_in(team, days: int, name: str = "Printemps") -> ReviewCycle:
    return ReviewCycle.objects.create(team=team, name=name, due_date=today() + timedelta(days))


def submitted(owner, cycle) -> Assessment:
    from assessments.services import assessment_start, assessment_submit
    from careers.models import Role

    assessment = assessment_start(owner=owner, roles=list(Role.objects.all()[:1]))
    Assessment.objects.filter(pk=assessment.pk).update(cycle=cycle)
    assessment.refresh_from_db()
    for requirement in assessment.roles.get().requirements.all():
        Answer.objects.create(assessment=assessment, skill=requirement.skill, level=2)
    return assessment_submit(assessment=assessment)
