"""The API's world is the pages' permission matrix (tests/teams/test_team_permissions.py):
team "Plateforme" with its manager olivia, member alice and carol (a submitted, rated
result for the cycle); "Autre" managed by oscar; mallory in no team. Added here: a
second manager of Plateforme (remy, to remove, demote or delete), a catalogue editor
(edith) and an administrator (ada). Each person has a write token."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from api.permissions import PROVISIONING_PERMISSIONS
from api.tokens import token_create
from careers.admin import CATALOGUE_PERMISSIONS
from teams.models import TeamMembership
from tests.factories import UserFactory
from tests.teams.test_team_permissions import World, world  # noqa: F401  (the fixture)


def grant(user, names: list[str]) -> None:
    for name in names:
        app, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )


@dataclass
class People:
    w: World
    remy: object
    editor: object
    admin: object
    tokens: dict[str, str]  # persona -> its write token

    def client(self, persona: str | None, *, token: str | None = None) -> APIClient:
        client = APIClient()
        secret = token or (self.tokens[persona] if persona else None)
        if secret:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client


@pytest.fixture
def people(world):  # noqa: F811
    remy = UserFactory(username="remy")
    TeamMembership.objects.create(team=world.team, user=remy, kind=TeamMembership.Kind.MANAGER)
    editor = UserFactory(username="edith", is_staff=True)
    grant(editor, CATALOGUE_PERMISSIONS)
    admin = UserFactory(username="ada", is_staff=True)
    grant(admin, PROVISIONING_PERMISSIONS)
    users = {
        "stranger": world.outsider,
        "member": world.member,
        "owner": world.carol.user,
        "other_manager": world.other_manager,
        "manager": world.manager,
        "removed_manager": remy,
        "editor": editor,
        "admin": admin,
    }
    tokens = {name: token_create(owner=u, name="t", scope="write")[1] for name, u in users.items()}
    return People(w=world, remy=remy, editor=editor, admin=admin, tokens=tokens)
