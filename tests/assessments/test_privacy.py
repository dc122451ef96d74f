"""Every assessment URL: the owner gets it, another person gets 404, a visitor logs in."""

import pytest
from django.urls import reverse

from assessments.models import Answer
from assessments.services import assessment_start
from tests.assessments.helpers import submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(individual, catalogue):
    draft = assessment_start(owner=individual, roles=catalogue)
    result = submitted(assessment_start(owner=individual, roles=catalogue))
    return draft, result


def urls(draft, result):
    skill = draft.roles.first().skills.first()
    return [
        ("get", reverse("assessments:detail", args=[draft.pk])),
        ("get", reverse("assessments:step", args=[draft.pk, 1])),
        ("post", reverse("assessments:step", args=[draft.pk, 1])),
        ("post", reverse("assessments:answer", args=[draft.pk, skill.pk])),
        ("get", reverse("assessments:review", args=[draft.pk])),
        ("post", reverse("assessments:review", args=[draft.pk])),
        ("post", reverse("assessments:delete", args=[draft.pk])),
        ("get", reverse("assessments:detail", args=[result.pk])),
        ("get", reverse("assessments:result_json", args=[result.pk])),
        ("get", reverse("assessments:result_csv", args=[result.pk])),
        ("get", reverse("assessments:compare", args=[result.pk])),
        ("post", reverse("assessments:retake", args=[result.pk])),
        ("post", reverse("assessments:delete", args=[result.pk])),
    ]


URL_COUNT = 13


@pytest.mark.parametrize("index", range(URL_COUNT))
def test_another_person_gets_404(client, owned, outsider, index):
    draft, result = owned
    method, url = urls(draft, result)[index]
    skill = draft.roles.first().skills.first()
    client.force_login(outsider)

    response = getattr(client, method)(url, {f"s{skill.pk}-level": "4", "go": "next"})

    assert response.status_code == 404
    assert not Answer.objects.filter(assessment=draft).exists()
    assert outsider.assessments.count() == 0
    draft.refresh_from_db()
    assert draft.is_draft


@pytest.mark.parametrize("index", range(URL_COUNT))
def test_a_visitor_is_sent_to_log_in(client, owned, index):
    method, url = urls(*owned)[index]

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("index", range(URL_COUNT))
def test_the_owner_gets_it(client, owned, individual, index):
    method, url = urls(*owned)[index]
    client.force_login(individual)

    response = getattr(client, method)(url)

    assert response.status_code in (200, 302)


def test_lists_show_only_ones_own_assessments(client, owned, outsider):
    client.force_login(outsider)

    response = client.get(reverse("assessments:list"))

    assert list(response.context["drafts"]) == []
    assert response.context["results"] == []
