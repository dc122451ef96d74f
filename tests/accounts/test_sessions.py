"""accounts/sessions.py: the session read by plain SQL keeps Django's rules."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.sessions import SessionStore


def test_a_saved_session_is_read_back(db):
    store = SessionStore()
    store["_auth_user_id"] = "42"
    store["basket"] = ["é", 3]
    store.save()

    again = SessionStore(store.session_key)

    assert again.load() == {"_auth_user_id": "42", "basket": ["é", 3]}
    assert again.session_key == store.session_key


def test_an_expired_session_is_empty_and_not_revived(db):
    store = SessionStore()
    store["_auth_user_id"] = "42"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    again = SessionStore(store.session_key)

    assert again.load() == {}
    assert again.session_key is None  # the next save makes a new key


def test_an_unknown_or_missing_key_is_an_empty_session(db):
    assert SessionStore("x" * 32).load() == {}
    assert SessionStore(None).load() == {}


def test_a_tampered_session_is_empty(db):
    store = SessionStore()
    store["_auth_user_id"] = "42"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(session_data="not-signed")

    assert SessionStore(store.session_key).load() == {}


def test_the_app_uses_it_and_a_signed_in_page_still_knows_who_you_are(
    client, django_user_model, settings
):
    from django.urls import reverse

    assert settings.SESSION_ENGINE == "accounts.sessions"
    user = django_user_model.objects.create_user("sessionreader", password="pw-long-enough-1")
    client.force_login(user)

    response = client.get(reverse("account"))

    assert response.status_code == 200
    assert "sessionreader" in response.text
