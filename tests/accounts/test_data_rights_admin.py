"""A person's data rights in the admin: who may export and erase, the confirmation page,
the erasure records read only."""

import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.models import ErasureRecord
from assessments.services import assessment_start
from teams.models import TeamMembership
from teams.services import ratings_save, team_create
from tests.assessments.helpers import submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:auth_user_changelist")


def staff(username: str, *codenames: str):
    person = UserFactory(username=username, is_staff=True)
    person.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user", *codenames])
    )
    return person


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def act(client, action: str, *people):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [p.pk for p in people]})


def erase_url(person) -> str:
    return reverse("admin:accounts_person_erase", args=[person.pk])


def test_a_superuser_exports_one_persons_archive(client, root, individual, outsider, catalogue):
    submitted(assessment_start(owner=individual, roles=catalogue))
    client.force_login(root)

    response = act(client, "export_data", individual)

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert json.loads(archive.read("account.json"))["username"] == "alice"
    assert b"mallory" not in b"".join(archive.read(n) for n in archive.namelist())


def test_the_admin_export_includes_reviews_not_yet_shared(client, root, individual, catalogue):
    from teams.services import cycle_assessment_start, cycle_open

    olivia = UserFactory(username="olivia")
    team = team_create(manager=olivia, name="T")
    membership = TeamMembership.objects.create(team=team, user=individual, target_role=catalogue[0])
    cycle = cycle_open(team=team, name="C", due_date=timezone.localdate())
    review = submitted(cycle_assessment_start(cycle=cycle, membership=membership))
    skill = review.snapshot["skills"][sorted(review.snapshot["skills"])[0]]["id"]
    ratings_save(assessment=review, manager=olivia, values={skill: (2, "Not shared yet")})
    client.force_login(root)

    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(act(client, "export_data", individual).streaming_content))
    )

    reviews = json.loads(archive.read("reviews.json"))
    assert [(r["shared_at"], r["ratings"][0]["comment"]) for r in reviews] == [
        (None, "Not shared yet")
    ]


def test_one_person_at_a_time(client, root, individual, outsider):
    client.force_login(root)

    response = act(client, "export_data", individual, outsider)

    assert response.status_code == 302
    assert "Choisissez exactement une personne" in client.get(CHANGELIST).text


def test_staff_without_the_permissions_can_neither_export_nor_erase(client, individual):
    client.force_login(staff("sam"))

    page = client.get(CHANGELIST)
    export = act(client, "export_data", individual)
    erase_page = client.get(erase_url(individual))
    erase = client.post(erase_url(individual))

    assert "export_data" not in page.text and "erase_data" not in page.text
    assert export.status_code == 200 and "Content-Disposition" not in export  # no such action
    assert erase_page.status_code == 403 and erase.status_code == 403
    assert get_user_model().objects.filter(pk=individual.pk).exists()


def test_staff_who_may_export_may_not_erase(client, individual):
    client.force_login(staff("sam", "export_personal_data"))

    assert act(client, "export_data", individual)["Content-Type"] == "application/zip"
    assert "erase_data" not in client.get(CHANGELIST).text
    assert client.post(erase_url(individual)).status_code == 403


def test_anonymous_and_people_who_are_not_staff_are_sent_to_log_in(client, individual, outsider):
    assert client.get(erase_url(individual))["Location"].startswith(reverse("admin:login"))
    client.force_login(outsider)
    assert client.post(erase_url(individual))["Location"].startswith(reverse("admin:login"))
    assert act(client, "export_data", individual)["Location"].startswith(reverse("admin:login"))


def test_the_permission_taken_away_takes_the_erasure_away(client, individual):
    eraser = staff("erin", "erase_personal_data")
    client.force_login(eraser)
    assert client.get(erase_url(individual)).status_code == 200

    eraser.user_permissions.remove(Permission.objects.get(codename="erase_personal_data"))

    assert client.get(erase_url(individual)).status_code == 403


def test_the_confirmation_page_says_what_goes_and_what_blocks(
    client, individual, catalogue, django_assert_max_num_queries
):
    submitted(assessment_start(owner=individual, roles=catalogue))
    team = team_create(manager=individual, name="Équipe " + "n" * 113)
    TeamMembership.objects.create(team=team, user=UserFactory(username="bob"))
    client.force_login(staff("erin", "erase_personal_data"))

    with django_assert_max_num_queries(20):
        page = client.get(erase_url(individual))

    assert page.status_code == 200
    assert "1 évaluation (brouillons compris)" in page.text
    assert "Équipes à confier d’abord" in page.text
    assert f'name="successor-{team.pk}"' in page.text and ">bob</option>" in page.text


def test_erasing_without_handing_over_is_refused_clearly(client, individual):
    team = team_create(manager=individual, name="Platform")
    TeamMembership.objects.create(team=team, user=UserFactory(username="bob"))
    client.force_login(staff("erin", "erase_personal_data"))

    response = client.post(erase_url(individual))

    assert response.status_code == 200
    assert "Choisissez qui reprend chaque équipe" in response.text
    assert get_user_model().objects.filter(pk=individual.pk).exists()


def test_erasing_after_handing_over(client, individual):
    team = team_create(manager=individual, name="Platform")
    bob = UserFactory(username="bob")
    TeamMembership.objects.create(team=team, user=bob)
    eraser = staff("erin", "erase_personal_data")
    client.force_login(eraser)

    response = client.post(erase_url(individual), {f"successor-{team.pk}": str(bob.pk)})

    assert response["Location"] == reverse("admin:accounts_erasurerecord_changelist")
    assert not get_user_model().objects.filter(pk=individual.pk).exists()
    record = ErasureRecord.objects.get()
    assert (record.erased_by, record.teams_handed_over) == (eraser, 1)
    assert team.memberships.get(user=bob).is_manager


def test_nobody_erases_themselves_here(client, root):
    client.force_login(root)

    response = client.post(erase_url(root))

    assert response.status_code == 302
    assert get_user_model().objects.filter(pk=root.pk).exists()


def test_an_unknown_person_is_a_404(client, root):
    client.force_login(root)
    assert client.get(reverse("admin:accounts_person_erase", args=[999999])).status_code == 404


def test_erasure_records_are_read_only(client, root, individual):
    from accounts.data_rights import person_erase

    former = individual.pk
    record = person_erase(user=individual, by=root)
    client.force_login(root)

    listing = client.get(reverse("admin:accounts_erasurerecord_changelist"))
    found = client.get(
        reverse("admin:accounts_erasurerecord_changelist"), {"q": "ALICE@example.com"}
    )
    detail = client.get(reverse("admin:accounts_erasurerecord_change", args=[record.pk]))

    assert listing.status_code == 200 and f">{former}<" in listing.text
    assert found.context["cl"].result_count == 1
    assert detail.status_code == 200 and 'name="_save"' not in detail.text
    assert client.get(reverse("admin:accounts_erasurerecord_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:accounts_erasurerecord_delete", args=[record.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert ErasureRecord.objects.filter(pk=record.pk).exists()
