"""The API authenticates by token only: a signed-in browser's session cookie opens
nothing there, so no other site can make it act (no CSRF to hold)."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_session_opens_nothing(client, people):
    client.force_login(people.admin)
    assert client.get("/api/v1/results/").status_code == 401
    response = client.post(
        "/api/v1/admin/users/", {"username": "csrf"}, content_type="application/json"
    )
    assert response.status_code == 401
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="csrf").exists()
