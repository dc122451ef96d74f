"""The findable setting on My account: off by default, explained, saved by its owner."""

import pytest
from django.urls import reverse

from organisation.models import InventoryConsent
from organisation.selectors import is_findable

pytestmark = pytest.mark.django_db

URL = reverse("organisation:findable")


def test_it_is_off_by_default_and_explained(client, individual):
    client.force_login(individual)
    html = client.get(reverse("account")).content.decode()
    assert 'id="findable-on"' in html and 'id="findable-on" checked' not in html
    assert "unités" in html  # French by default: who sees what
    assert not is_findable(individual)


def test_the_owner_turns_it_on_and_off(client, individual):
    client.force_login(individual)
    response = client.post(URL, {"findable": "on"})
    assert response.status_code == 302 and response.url == reverse("account")
    assert is_findable(individual)
    assert 'id="findable-on" checked' in client.get(reverse("account")).content.decode()
    client.post(URL, {})
    assert not is_findable(individual)
    assert InventoryConsent.objects.filter(user=individual).count() == 1


def test_in_english(client, individual):
    client.force_login(individual)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("account")).content.decode()
    assert "Let unit leads find me by name in the skills inventory" in html


def test_only_a_signed_in_post_changes_it(client, individual):
    assert client.post(URL, {"findable": "on"}).status_code == 302
    assert not InventoryConsent.objects.exists()
    client.force_login(individual)
    assert client.get(URL).status_code == 405
    assert not InventoryConsent.objects.exists()
