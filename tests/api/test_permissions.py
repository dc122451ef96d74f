"""Every API endpoint for each kind of person: the pages' rules (tests/teams/
test_team_permissions.py), with 401 for no token and 403 for a right one lacks."""

import pytest

from accounts.services import account_delete
from teams.models import TeamMembership
from teams.services import membership_remove, membership_set_kind

pytestmark = pytest.mark.django_db

PERSONAS = [
    None,  # anonymous
    "stranger",  # a token of another person, in no team
    "member",
    "owner",  # carol, whose result it is
    "other_manager",
    "manager",
    "removed_manager",  # remy, a manager of the team until the test starts
    "editor",
    "admin",
]


def everyone(code: int, **others: int) -> dict:
    return {p: others.get(p or "anonymous", code) for p in PERSONAS}


READS = {
    "catalogue": everyone(200),
    "results": everyone(200, anonymous=401),
    "result": everyone(404, anonymous=401, owner=200, manager=200),
    "teams": everyone(200, anonymous=401),
    "team": everyone(404, anonymous=401, member=200, owner=200, manager=200),
    "cycles": everyone(404, anonymous=401, manager=200),
    "matrix": everyone(404, anonymous=401, manager=200),
    "users": everyone(403, anonymous=401, admin=200),
}


def url_for(p, name: str) -> str:
    w = p.w
    return {
        "catalogue": "/api/v1/catalogue/",
        "results": "/api/v1/results/",
        "result": f"/api/v1/results/{w.result.pk}/",
        "teams": "/api/v1/teams/",
        "team": f"/api/v1/teams/{w.team.pk}/",
        "cycles": f"/api/v1/teams/{w.team.pk}/cycles/",
        "matrix": f"/api/v1/teams/{w.team.pk}/cycles/{w.cycle.pk}/matrix/",
        "users": "/api/v1/admin/users/",
        "import": "/api/v1/catalogue/import/",
        "user_create": "/api/v1/admin/users/",
        "deactivate": f"/api/v1/admin/users/{w.outsider.pk}/deactivate/",
        "membership_add": f"/api/v1/admin/teams/{w.team.pk}/memberships/",
        "membership_remove": f"/api/v1/admin/teams/{w.team.pk}/memberships/{w.carol.pk}/",
    }[name]


def remove_remy(p) -> None:
    membership_remove(membership=TeamMembership.objects.get(team=p.w.team, user=p.remy))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(READS))
def test_reads(people, name, persona):
    remove_remy(people)
    response = people.client(persona).get(url_for(people, name))
    assert response.status_code == READS[name][persona], response.content


def test_teams_list_is_one_own(people):
    listed = people.client("member").get("/api/v1/teams/").json()
    assert listed == [{"id": people.w.team.pk, "name": "Plateforme", "kind": "member"}]
    assert people.client("stranger").get("/api/v1/teams/").json() == []


WRITES = {
    "import": everyone(403, anonymous=401, editor=200),
    "user_create": everyone(403, anonymous=401, admin=201),
    "deactivate": everyone(403, anonymous=401, admin=200),
    "membership_add": everyone(403, anonymous=401, admin=200),
    "membership_remove": everyone(403, anonymous=401, admin=204),
}


def body_for(p, name: str):
    return {
        "import": {"document": {"categories": [], "roles": [{"code": "X"}]}, "dry_run": True},
        "user_create": {"username": "newcomer", "email": "new@example.com"},
        "membership_add": {"user": p.w.outsider.pk, "kind": "member"},
    }.get(name)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(WRITES))
def test_writes(people, name, persona):
    remove_remy(people)
    client = people.client(persona)
    url = url_for(people, name)
    if name == "membership_remove":
        response = client.delete(url)
    else:
        response = client.post(url, body_for(people, name), format="json")
    expected = WRITES[name][persona]
    if name == "import" and persona == "editor":
        expected = 400  # the document's own errors: the import's checks ran
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("how", ["removal", "demotion", "deletion"])
def test_a_former_manager_reads_the_team_no_more(people, how):
    client = people.client("removed_manager")
    matrix = url_for(people, "matrix")
    assert client.get(matrix).status_code == 200
    membership = TeamMembership.objects.get(team=people.w.team, user=people.remy)
    if how == "removal":
        membership_remove(membership=membership)
        expected = 404
    elif how == "demotion":
        membership_set_kind(membership=membership, kind=TeamMembership.Kind.MEMBER)
        expected = 404
    else:
        membership_remove(membership=membership)
        account_delete(user=people.remy)
        expected = 401  # the account and its tokens are gone
    for name in ("matrix", "cycles", "result"):
        assert client.get(url_for(people, name)).status_code == expected
