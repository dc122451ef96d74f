"""Every form is protected against cross-site request forgery.

No view opts out of Django's check, and each POST endpoint is listed below with a
request that it would accept: without the CSRF token it gets a 403 and writes nothing,
with the token the same request goes through. The four flows people use most are also
replayed the way a browser does them, the token taken from the page (htmx sends it in
a header that the page puts on <body>).
"""

import json
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from accounts.tokens import confirmation_token
from assessments.models import Answer, Assessment
from assessments.selectors import questionnaire_for
from assessments.services import assessment_start
from careers.interchange import catalogue_document, dump_csv
from teams.models import Invitation, TeamMembership
from teams.services import (
    cycle_assessment_start,
    cycle_open,
    invitation_create,
    team_create,
)
from tests.assessments.helpers import answer_all, submitted
from tests.conftest import build_catalogue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # UserFactory's
NEW_PASSWORD = "Plan-de-charge-2026"


# --- builders ------------------------------------------------------------------------


@dataclass
class World:
    """alice answers; olivia manages her team (with bob); carol holds an invitation."""

    alice: object
    olivia: object
    bob: object
    carol: object
    editor: object
    draft: Assessment  # alice's, every question answered
    spare_draft: Assessment  # alice's, to delete
    quick: Assessment  # alice's quick draft, to continue in full
    result: Assessment  # alice's, submitted
    team: object
    bob_membership: TeamMembership
    cycle: object
    cycle_result: Assessment  # alice's, submitted for the cycle
    invitation: Invitation  # pending, to resend or revoke
    carols_invitation: Invitation


@pytest.fixture
def world(db) -> World:
    roles = build_catalogue()
    alice, olivia, bob, carol = (
        UserFactory(username=n) for n in ("alice", "olivia", "bob", "carol")
    )
    editor = UserFactory(username="edith", is_staff=True)
    editor.groups.add(Group.objects.get(name="Catalogue editors"))
    draft = assessment_start(owner=alice, roles=roles)
    answer_all(draft)
    team = team_create(manager=olivia, name="Plateforme")
    alice_membership = TeamMembership.objects.create(team=team, user=alice, target_role=roles[0])
    bob_membership = TeamMembership.objects.create(team=team, user=bob, target_role=roles[1])
    cycle = cycle_open(team=team, name="Revue 2026", due_date=timezone.localdate())
    return World(
        alice=alice,
        olivia=olivia,
        bob=bob,
        carol=carol,
        editor=editor,
        draft=draft,
        spare_draft=assessment_start(owner=alice, roles=roles[:1]),
        quick=assessment_start(owner=alice, roles=roles[:1], quick=True),
        result=submitted(assessment_start(owner=alice, roles=roles[1:])),
        team=team,
        bob_membership=bob_membership,
        cycle=cycle,
        cycle_result=submitted(cycle_assessment_start(cycle=cycle, membership=alice_membership)),
        invitation=invite(team, "dan@example.com"),
        carols_invitation=invite(team, "carol@example.com"),
    )


def invite(team, email):
    return invitation_create(
        team=team, email=email, kind="member", invited_by=None, link_for=lambda i: "link"
    )


def first_skill(assessment):
    return questionnaire_for(assessment).skills[0]


def catalogue_csv() -> SimpleUploadedFile:
    return SimpleUploadedFile("catalogue.csv", dump_csv(catalogue_document()).encode())


# Each case: who posts (None: a visitor), where, and what a browser would send.
CASES = {
    "signup": lambda w: (
        None,
        reverse("signup"),
        {
            "username": "bruno",
            "email": "bruno@example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    ),
    "login": lambda w: (None, reverse("login"), {"username": "alice", "password": PASSWORD}),
    "logout": lambda w: (w.alice, reverse("logout"), {}),
    "password change": lambda w: (
        w.alice,
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    ),
    "account delete": lambda w: (w.carol, reverse("account_delete"), {"password": PASSWORD}),
    "password reset": lambda w: (None, reverse("password_reset"), {"email": "alice@example.com"}),
    "email change": lambda w: (
        w.alice,
        reverse("email_change"),
        {"email": "alice.new@example.com", "password": PASSWORD},
    ),
    "email confirmation send": lambda w: (
        UserFactory(username="una", email_confirmed=False),
        reverse("email_confirmation_send"),
        {},
    ),
    "email confirm": lambda w: (
        None,
        reverse(
            "email_confirm",
            args=[confirmation_token(user=w.alice, email="alice.new@example.com")],
        ),
        {},
    ),
    "language": lambda w: (None, reverse("set_language"), {"language": "en", "next": "/"}),
    "new assessment": lambda w: (
        w.alice,
        reverse("assessments:new"),
        {"roles": [r.pk for r in w.draft.roles.all()]},
    ),
    "step": lambda w: (
        w.alice,
        reverse("assessments:step", args=[w.draft.pk, 1]),
        {f"s{first_skill(w.draft).pk}-level": "4", "go": "next"},
    ),
    "autosave": lambda w: (
        w.alice,
        reverse("assessments:answer", args=[w.draft.pk, first_skill(w.draft).pk]),
        {f"s{first_skill(w.draft).pk}-level": "4"},
    ),
    "submit": lambda w: (w.alice, reverse("assessments:review", args=[w.draft.pk]), {}),
    "retake": lambda w: (w.alice, reverse("assessments:retake", args=[w.result.pk]), {}),
    "delete": lambda w: (w.alice, reverse("assessments:delete", args=[w.spare_draft.pk]), {}),
    "continue in full": lambda w: (
        w.alice,
        reverse("assessments:continue", args=[w.quick.pk]),
        {},
    ),
    "team create": lambda w: (w.olivia, reverse("teams:list"), {"name": "Données"}),
    "invite": lambda w: (
        w.olivia,
        reverse("teams:invite", args=[w.team.pk]),
        {"email": "eve@example.com", "kind": "member"},
    ),
    "invitation resend": lambda w: (
        w.olivia,
        reverse("teams:invitation_resend", args=[w.team.pk, w.invitation.pk]),
        {},
    ),
    "invitation revoke": lambda w: (
        w.olivia,
        reverse("teams:invitation_revoke", args=[w.team.pk, w.invitation.pk]),
        {},
    ),
    "member remove": lambda w: (
        w.olivia,
        reverse("teams:member_remove", args=[w.team.pk, w.bob_membership.pk]),
        {},
    ),
    "member kind": lambda w: (
        w.olivia,
        reverse("teams:member_kind", args=[w.team.pk, w.bob_membership.pk]),
        {"kind": "manager"},
    ),
    "target role": lambda w: (
        w.olivia,
        reverse("teams:member_target", args=[w.team.pk, w.bob_membership.pk]),
        {"role": w.cycle_result.roles.get().pk},
    ),
    "cycle new": lambda w: (
        w.olivia,
        reverse("teams:cycle_new", args=[w.team.pk]),
        {"name": "Revue 2027", "due_date": (timezone.localdate() + timedelta(days=9)).isoformat()},
    ),
    "cycle close": lambda w: (
        w.olivia,
        reverse("teams:cycle_close", args=[w.team.pk, w.cycle.pk]),
        {},
    ),
    "cycle start": lambda w: (
        w.bob,
        reverse("teams:cycle_start", args=[w.team.pk, w.cycle.pk]),
        {},
    ),
    "ratings": lambda w: (
        w.olivia,
        reverse("teams:review", args=[w.team.pk, w.cycle_result.pk]),
        {f"r{first_skill(w.draft).pk}-level": "3", f"r{first_skill(w.draft).pk}-comment": "Ok"},
    ),
    "review share": lambda w: (
        w.olivia,
        reverse("teams:review_share", args=[w.team.pk, w.cycle_result.pk]),
        {"share": "1"},
    ),
    "invitation accept": lambda w: (
        w.carol,
        reverse("teams:invitation", args=[w.carols_invitation.token]),
        {},
    ),
    "catalogue import": lambda w: (
        w.editor,
        reverse("admin:careers_catalogue_import"),
        {"file": catalogue_csv()},
    ),
}


def browser(user=None) -> Client:
    """A client that checks CSRF as production does, holding the CSRF cookie."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    assert client.get(reverse("home")).status_code == 200  # sets the CSRF cookie
    return client


def observable_state(client) -> dict:
    """Every row of every table, and the language cookie: what a POST could change."""
    state = {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
    }
    language = client.cookies.get("django_language")
    state["language cookie"] = language.value if language else None
    return state


def token_in_form(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)


def token_in_body_headers(response) -> str:
    """The token htmx sends: <body hx-headers='{"X-CSRFToken": "..."}'>."""
    headers = re.search(r"<body hx-headers='([^']+)'>", response.text).group(1)
    return json.loads(headers)["X-CSRFToken"]


# --- every POST endpoint --------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_post_without_the_token_is_refused_and_writes_nothing(world, case):
    user, url, data = CASES[case](world)
    client = browser(user)
    before = observable_state(client)

    response = client.post(url, data)

    assert response.status_code == 403
    assert observable_state(client) == before


@pytest.mark.parametrize("case", CASES)
def test_same_post_with_the_token_goes_through(world, case):
    user, url, data = CASES[case](world)
    client = browser(user)
    before = observable_state(client)

    response = client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    assert response.status_code in (200, 302)
    assert observable_state(client) != before


def test_no_view_is_exempt_from_the_check():
    """The middleware checks every POST unless a view opts out: none does, admin included,
    but the REST API's (DRF's views opt out). The API reads no cookie, only an
    `Authorization: Bearer` token, which a browser never adds on its own: another site's
    form cannot act with it (tests/api/test_no_session.py)."""
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    exempt = [route for route, view in _views(get_resolver().url_patterns) if _is_exempt(view)]

    assert exempt and all(route.startswith("api/v1/") for route in exempt)
    assert _is_exempt(csrf_exempt(lambda request: None))  # the probe does see an opt-out


def _views(patterns, prefix=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def _is_exempt(view) -> bool:
    return getattr(view, "csrf_exempt", False)


# --- the token as the pages hand it out -----------------------------------------------


def test_signup_with_the_token_from_its_page(db):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("signup"))

    response = client.post(
        reverse("signup"),
        {
            "csrfmiddlewaretoken": token_in_form(page),
            "username": "bruno",
            "email": "bruno@example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("signup_done")
    assert get_user_model().objects.filter(username="bruno").exists()
    assert SESSION_KEY not in client.session  # signing up does not log in (check your mail)


def test_login_with_the_token_from_its_page(world):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))

    response = client.post(
        reverse("login"),
        {"csrfmiddlewaretoken": token_in_form(page), "username": "alice", "password": PASSWORD},
    )

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(world.alice.pk)


def test_step_form_with_the_token_from_its_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    url = reverse("assessments:step", args=[world.draft.pk, 1])
    skill = first_skill(world.draft)
    page = client.get(url)

    response = client.post(
        url,
        {"csrfmiddlewaretoken": token_in_form(page), f"s{skill.pk}-level": "4", "go": "next"},
    )

    assert response.status_code == 302
    assert Answer.objects.get(assessment=world.draft, skill=skill).level == 4


def test_autosave_with_the_header_htmx_takes_from_the_body(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    skill = first_skill(world.draft)
    page = client.get(reverse("assessments:step", args=[world.draft.pk, 1]))
    url = reverse("assessments:answer", args=[world.draft.pk, skill.pk])
    data = {f"s{skill.pk}-level": "4"}

    refused = client.post(url, data, HTTP_X_CSRFTOKEN="x" * 32)
    assert refused.status_code == 403
    assert Answer.objects.get(assessment=world.draft, skill=skill).level != 4

    response = client.post(url, data, HTTP_X_CSRFTOKEN=token_in_body_headers(page))

    assert response.status_code == 200
    assert Answer.objects.get(assessment=world.draft, skill=skill).level == 4
