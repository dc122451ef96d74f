"""The API returns the files' own documents, built by the same functions; catalogue
writes go through the import's checks; list endpoints cost the same queries at any size."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.services import assessment_start
from careers import interchange
from careers.models import Role
from teams.models import TeamMembership
from teams.services import cycle_assessment_start, cycle_open, team_create
from tests.assessments.helpers import submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_result_is_the_json_files_document(people, client):
    w = people.w
    for reader, persona in ((w.carol.user, "owner"), (w.manager, "manager")):
        client.force_login(reader)
        download = json.loads(
            client.get(reverse("assessments:result_json", args=[w.result.pk])).content
        )
        api = people.client(persona).get(f"/api/v1/results/{w.result.pk}/").json()
        assert api == download
        assert set(api) >= {"assessment", "submitted_at", "scale", "roles"}


def test_the_matrix_is_the_json_files_document(people, client):
    w = people.w
    client.force_login(w.manager)
    url = reverse("teams:cycle_matrix", args=[w.team.pk, w.cycle.pk, "json"])
    download = json.loads(client.get(url).content)
    api = (
        people.client("manager")
        .get(f"/api/v1/teams/{w.team.pk}/cycles/{w.cycle.pk}/matrix/")
        .json()
    )
    assert api == download
    assert api["rows"]


def test_the_catalogue_read_hides_drafts_from_all_but_editors(people, catalogue):
    Role.objects.filter(code="BBB").update(is_published=False)
    public = people.client(None).get("/api/v1/catalogue/").json()
    assert [r["code"] for r in public["roles"]] == ["AAA"]
    # The career step of AAA that leads to the draft does not name it.
    assert all(step["role"] is None for step in public["roles"][0]["career"]["to"])
    edited = people.client("editor").get("/api/v1/catalogue/").json()
    assert edited == interchange.catalogue_document()


def test_a_catalogue_import_goes_through_the_imports_checks(people, catalogue):
    document = interchange.catalogue_document()
    document["roles"][0]["name"]["en"] = "Renamed by the API"
    editor = people.client("editor")
    dry = editor.post(
        "/api/v1/catalogue/import/", {"document": document, "dry_run": True}, format="json"
    )
    assert dry.status_code == 200, dry.content
    assert dry.json()["dry_run"] is True
    assert Role.objects.get(code="AAA").name_en != "Renamed by the API"
    done = editor.post(
        "/api/v1/catalogue/import/", {"document": document, "dry_run": False}, format="json"
    )
    assert done.status_code == 200, done.content
    assert Role.objects.get(code="AAA").name_en == "Renamed by the API"
    # The import's own errors, with their paths, as the admin shows them.
    document["roles"][0]["requirements"][0]["weight"] = 9
    refused = editor.post(
        "/api/v1/catalogue/import/", {"document": document, "dry_run": False}, format="json"
    )
    assert refused.status_code == 400
    assert any("roles[0]" in error for error in refused.json()["errors"])
    with pytest.raises(interchange.ImportRejected) as rejected:
        interchange.import_catalogue(document=document, dry_run=True)
    assert refused.json()["errors"] == [str(e) for e in rejected.value.errors]


def test_provisioning_goes_through_the_team_services(people):
    w = people.w
    admin = people.client("admin")
    created = admin.post(
        "/api/v1/admin/users/", {"username": "newcomer", "email": "n@example.com"}, format="json"
    )
    assert created.status_code == 201
    user_id = created.json()["id"]
    before = type(w.team).objects.get(pk=w.team.pk).revision
    url = f"/api/v1/admin/teams/{w.team.pk}/memberships/"
    added = admin.post(url, {"user": user_id, "kind": "member"}, format="json")
    assert added.status_code == 200
    assert type(w.team).objects.get(pk=w.team.pk).revision > before  # team_touch ran
    promoted = admin.post(url, {"user": user_id, "kind": "manager"}, format="json").json()
    assert promoted["kind"] == "manager"
    taken = admin.post("/api/v1/admin/users/", {"username": "NEWCOMER"}, format="json")
    assert taken.status_code == 400
    # The last manager stays (LastManager), as on the team page.
    other = w.other_team.memberships.get()
    gone = admin.delete(f"/api/v1/admin/teams/{w.other_team.pk}/memberships/{other.pk}/")
    assert gone.status_code == 409
    assert TeamMembership.objects.filter(pk=other.pk).exists()


def _team_of(size: int, role):
    manager = UserFactory()
    team = team_create(manager=manager, name=f"Team {size}")
    cycle = cycle_open(team=team, name="Cycle", due_date="2030-01-01")
    for _ in range(size):
        membership = TeamMembership.objects.create(team=team, user=UserFactory(), target_role=role)
        submitted(cycle_assessment_start(cycle=cycle, membership=membership))
    for _ in range(size):
        submitted(assessment_start(owner=manager, roles=[role]))
    return manager, team, cycle


def _queries(user, url: str) -> int:
    from rest_framework.test import APIClient

    from api.tokens import token_create

    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Bearer {token_create(owner=user, name='q', scope='read')[1]}"
    )
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "path", ["results/", "teams/", "teams/{team}/", "teams/{team}/cycles/", "admin/users/"]
)
def test_list_queries_do_not_grow(catalogue, path):
    role = catalogue[0]
    counts = []
    for size in (2, 6):
        manager, team, _cycle = _team_of(size, role)
        manager.is_staff = manager.is_superuser = True
        manager.save()
        counts.append(_queries(manager, "/api/v1/" + path.format(team=team.pk)))
    assert counts[0] == counts[1], counts
