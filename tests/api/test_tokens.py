"""Personal access tokens: created and revoked in My account, stored hashed, shown once,
scoped, refused once revoked, expired or their account deactivated."""

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from api.models import AccessToken
from api.tokens import token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_created_in_my_account_shown_once_and_stored_hashed(client, individual):
    client.force_login(individual)
    assert reverse("api_tokens").encode() in client.get(reverse("account")).content
    response = client.post(reverse("api_tokens"), {"name": "CI", "scope": "read"})
    secret = response.context["secret"]
    assert secret.startswith("skl_") and secret.encode() in response.content
    token = AccessToken.objects.get(owner=individual)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    # The database holds no copy of the token, in any column of any row.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_accesstoken")
        assert not any(secret in str(value) for row in cursor.fetchall() for value in row)
    # Shown once: the page never shows it again.
    again = client.get(reverse("api_tokens"))
    assert secret.encode() not in again.content
    assert token.prefix.encode() in again.content
    api = client_with(secret)
    assert api.get("/api/v1/results/").status_code == 200


def client_with(secret: str):
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api


def test_revoked_in_my_account(client, individual):
    token, secret = token_create(owner=individual, name="retired-token", scope="write")
    client.force_login(individual)
    client.post(reverse("api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client_with(secret).get("/api/v1/results/").status_code == 401
    assert b"retired-token" not in client.get(reverse("api_tokens")).content


def test_no_one_revokes_another_persons_token(client, individual, outsider):
    token, secret = token_create(owner=individual, name="mine", scope="read")
    client.force_login(outsider)
    client.post(reverse("api_token_revoke", args=[token.pk]))
    assert client_with(secret).get("/api/v1/results/").status_code == 200


def test_revoking_needs_a_post(client, individual):
    token, _ = token_create(owner=individual, name="t", scope="read")
    client.force_login(individual)
    assert client.get(reverse("api_token_revoke", args=[token.pk])).status_code == 405


def test_the_page_holds_the_csrf_rule(individual):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(individual)
    response = csrf_client.post(reverse("api_tokens"), {"name": "x", "scope": "write"})
    assert response.status_code == 403
    assert not AccessToken.objects.exists()


def test_a_read_token_may_not_write(individual):
    individual.is_staff = True
    individual.is_superuser = True
    individual.save()
    _, secret = token_create(owner=individual, name="r", scope="read")
    api = client_with(secret)
    assert api.get("/api/v1/admin/users/").status_code == 200
    response = api.post("/api/v1/admin/users/", {"username": "zed"}, format="json")
    assert response.status_code == 403
    _, writer = token_create(owner=individual, name="w", scope="write")
    assert (
        client_with(writer)
        .post("/api/v1/admin/users/", {"username": "zed"}, format="json")
        .status_code
        == 201
    )


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer skl_nope", "Bearer é"])
def test_bad_tokens_are_refused(individual, header):
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    assert api.get("/api/v1/results/").status_code == 401


def test_expired_and_deactivated_are_refused(individual):
    token, secret = token_create(owner=individual, name="t", scope="read")
    AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(1))
    assert client_with(secret).get("/api/v1/results/").status_code == 401
    other = UserFactory()
    _, secret = token_create(owner=other, name="t", scope="read")
    other.is_active = False
    other.save()
    assert client_with(secret).get("/api/v1/results/").status_code == 401


def test_last_used_is_recorded(individual):
    token, secret = token_create(owner=individual, name="t", scope="read")
    client_with(secret).get("/api/v1/results/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_deactivation_by_an_admin_revokes_the_tokens(people):
    _, secret = token_create(owner=people.w.outsider, name="t", scope="read")
    admin = people.client("admin")
    url = f"/api/v1/admin/users/{people.w.outsider.pk}/deactivate/"
    assert admin.post(url).json()["is_active"] is False
    assert client_with(secret).get("/api/v1/results/").status_code == 401
    assert not AccessToken.objects.filter(owner=people.w.outsider, revoked_at=None).exists()


def test_an_admin_revokes_a_token_in_the_admin(client, individual):
    from django.contrib.auth import get_user_model

    token, secret = token_create(owner=individual, name="leaked", scope="write")
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-1234")
    client.force_login(root)
    listing = client.get(reverse("admin:api_accesstoken_changelist"))
    assert listing.status_code == 200 and b"leaked" in listing.content
    assert secret.encode() not in listing.content
    client.post(
        reverse("admin:api_accesstoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert client_with(secret).get("/api/v1/results/").status_code == 401
