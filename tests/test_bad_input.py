"""Bad input never breaks anything.

Random and hostile data (huge strings, right-to-left text, emoji, NUL bytes, negative
and out-of-range levels, words where numbers go, missing, repeated and stray fields,
ids of other people's things and of nothing at all) is posted to every form and JSON
endpoint a signed-in person, a manager or a catalogue editor can reach. Whatever comes
in, the answer is never a server error, a refusal says what is wrong, and the database
holds nothing half-written and nothing PostgreSQL would refuse (NUL bytes, strings
longer than their column).

Each example runs in a savepoint that is rolled back, so every example starts from the
same people and data (the `world` fixture) and a fresh browser.

Control characters (NUL, the rest of C0, DEL and C1) go into the query strings of every
page and into every form field a person, a manager or an editor can post (sign-up,
log-in, account, team, invitation, cycle, notes, comments, the catalogue admin), by
hypothesis and by a sweep of each page and form with all of them. The suite is meant to
pass on SQLite and on PostgreSQL (DATABASE_URL), which refuses NUL in any text.
"""

import csv
import io
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.forms import AnswerForm, RoleChoiceForm
from assessments.models import Answer, Assessment
from assessments.selectors import questionnaire_for
from assessments.services import assessment_start
from careers import models as catalogue_models
from careers.interchange import COLUMNS
from careers.models import Role
from teams.forms import CycleForm, InvitationForm, RatingForm, TeamForm
from teams.models import Invitation, ManagerRating, ReviewCycle, Team, TeamMembership
from teams.services import (
    cycle_assessment_start,
    cycle_open,
    invitation_create,
    team_create,
)
from tests.assessments.helpers import answer_all, submitted
from tests.conftest import build_catalogue
from tests.factories import (
    RoleFactory,
    RoleRequirementFactory,
    SkillCategoryFactory,
    SkillFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,  # no example files left in the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PASSWORD = "correct-horse-battery"  # UserFactory's
STRONG = "Plan-de-charge-2026"
FORM = "application/x-www-form-urlencoded"


# --- hostile data ---------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "A" * 10_001,
    "é" * 10_001,
    "\x00",
    "abc\x00def",
    "\u202egnp.exe\u202c",  # right-to-left override
    "مرحبا بالعالم",
    "שלום עולם",
    "😀👩‍👩‍👧‍👦🏳️‍🌈",
    "😀" * 5_000,
    "-1",
    "5",
    "42",
    "-0",
    "+1",
    " 3 ",
    "1.5",
    "1e3",
    "NaN",
    "Infinity",
    "0x2",
    "²",  # a digit for str.isdigit(), not for int()
    "١",  # an Arabic-Indic one
    "9" * 20,  # beyond a 64-bit integer
    "9" * 5_000,  # beyond what int() converts
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../../etc/passwd",
    "%00",
    "null",
    "[]",
    "{}",
    "//evil.example/",
    "https://evil.example/",
    "step-²",
    "step-" + "9" * 5_000,
]
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
hostile = st.one_of(st.sampled_from(NASTY), any_text, st.integers().map(str))
levels = st.one_of(st.sampled_from(["0", "1", "2", "3", "4"]), st.integers(-3, 8).map(str), hostile)


def field(*valid):
    """A hostile value, or now and then one of the valid ones."""
    return st.one_of(st.sampled_from(valid), hostile) if valid else hostile


def posted(fields: dict) -> st.SearchStrategy[dict]:
    """Form data: each field missing, given once or repeated; plus a stray field or two."""
    given_fields = st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(s, st.lists(s, min_size=2, max_size=3)) for name, s in fields.items()
        },
    )
    stray = st.dictionaries(any_text.filter(bool), hostile, max_size=2)
    return st.tuples(stray, given_fields).map(lambda pair: {**pair[0], **pair[1]})


# --- people and data ------------------------------------------------------------------


@dataclass(repr=False)  # hypothesis prints the arguments of a failing example
class World:
    alice: object  # answers for herself; a member of olivia's team
    mallory: object  # another person, in another team
    olivia: object  # manages "Plateforme"
    carol: object  # invited to "Plateforme"
    editor: object  # edits the catalogue
    roles: list[Role]  # AAA needs every skill, BBB every other one
    hidden: Role  # unpublished
    foreign_skill: object  # in no role alice chose
    draft: Assessment  # alice's, over BBB, one question answered
    complete: Assessment  # alice's, over BBB, every question answered
    result: Assessment  # alice's, submitted
    others_draft: Assessment  # mallory's
    team: Team
    other_team: Team
    cycle: ReviewCycle
    other_cycle: ReviewCycle
    alice_membership: TeamMembership
    mallory_membership: TeamMembership
    cycle_result: Assessment  # alice's, for olivia's cycle
    other_cycle_result: Assessment  # mallory's, for the other team's cycle
    invitation: Invitation  # carol's
    other_invitation: Invitation  # to the other team


@pytest.fixture
def world(db) -> World:
    roles = build_catalogue()
    aaa, bbb = roles
    hidden = RoleFactory(code="HIDDEN", is_published=False)
    foreign_skill = SkillFactory(category=SkillCategoryFactory())
    RoleRequirementFactory(role=hidden, skill=foreign_skill)
    alice, mallory, olivia, carol, victor = (
        UserFactory(username=name) for name in ("alice", "mallory", "olivia", "carol", "victor")
    )
    editor = UserFactory(username="edith", is_staff=True)
    editor.groups.add(Group.objects.get(name="Catalogue editors"))

    draft = assessment_start(owner=alice, roles=[bbb])
    Answer.objects.create(
        assessment=draft, skill=questionnaire_for(draft).skills[0], level=2, note="déjà"
    )
    complete = assessment_start(owner=alice, roles=[bbb])
    answer_all(complete)
    others_draft = assessment_start(owner=mallory, roles=[aaa])
    answer_all(others_draft)

    team = team_create(manager=olivia, name="Plateforme")
    alice_membership = TeamMembership.objects.create(team=team, user=alice, target_role=aaa)
    cycle = cycle_open(team=team, name="Revue", due_date=timezone.localdate())
    other_team = team_create(manager=victor, name="Autre")
    mallory_membership = TeamMembership.objects.create(
        team=other_team, user=mallory, target_role=aaa
    )
    other_cycle = cycle_open(team=other_team, name="Revue", due_date=timezone.localdate())
    other_cycle_result = submitted(
        cycle_assessment_start(cycle=other_cycle, membership=mallory_membership)
    )
    ManagerRating.objects.create(
        assessment=other_cycle_result,
        skill=questionnaire_for(others_draft).skills[0],
        level=1,
        rated_by=victor,
    )
    return World(
        alice=alice,
        mallory=mallory,
        olivia=olivia,
        carol=carol,
        editor=editor,
        roles=roles,
        hidden=hidden,
        foreign_skill=foreign_skill,
        draft=draft,
        complete=complete,
        result=submitted(assessment_start(owner=alice, roles=[bbb])),
        others_draft=others_draft,
        team=team,
        other_team=other_team,
        cycle=cycle,
        other_cycle=other_cycle,
        alice_membership=alice_membership,
        mallory_membership=mallory_membership,
        cycle_result=submitted(cycle_assessment_start(cycle=cycle, membership=alice_membership)),
        other_cycle_result=other_cycle_result,
        invitation=invitation_create(
            team=team,
            email=carol.email,
            kind="member",
            invited_by=olivia,
            link_for=lambda i: "link",
        ),
        other_invitation=invitation_create(
            team=other_team,
            email="dan@example.com",
            kind="member",
            invited_by=victor,
            link_for=lambda i: "link",
        ),
    )


# --- helpers --------------------------------------------------------------------------


@contextmanager
def rolled_back():
    """Run one example, then undo its writes: the next one starts from the same data."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post(client, url, data, **extra):
    """POST as a browser or htmx does (urlencoded); a list repeats the field."""
    return client.post(url, urlencode(data, doseq=True), content_type=FORM, **extra)


def as_querydict(data) -> QueryDict:
    """The data as the view reads it, to ask the form what it makes of it."""
    return QueryDict(urlencode(data, doseq=True))


def last(value):
    return value[-1] if isinstance(value, list) else value


def shows_error(response) -> bool:
    return "invalid-feedback" in response.text or "alert-danger" in response.text


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def is_local(url: str) -> bool:
    return url_has_allowed_host_and_scheme(url, {"testserver"})


def rows(queryset, *fields) -> list[tuple]:
    return list(queryset.order_by("pk").values_list(*fields))


def answers_of(assessment) -> list[tuple]:
    return rows(Answer.objects.filter(assessment=assessment), "skill_id", "level", "note")


def ratings_of(assessment) -> list[tuple]:
    return rows(ManagerRating.objects.filter(assessment=assessment), "skill_id", "level", "comment")


CATALOGUE_MODELS = [
    catalogue_models.SkillCategory,
    catalogue_models.Skill,
    catalogue_models.SkillLevel,
    catalogue_models.NextStepAction,
    catalogue_models.Role,
    catalogue_models.RoleRequirement,
    catalogue_models.CareerStep,
]
STORED_MODELS = [
    get_user_model(),
    Assessment,
    Answer,
    Team,
    TeamMembership,
    Invitation,
    ReviewCycle,
    ManagerRating,
    *CATALOGUE_MODELS,
    # django-axes records what a failed login sent
    AccessAttempt,
    AccessFailureLog,
    AccessLog,
]


def assert_storable():
    """Nothing SQLite keeps but PostgreSQL refuses: NUL bytes, text longer than allowed."""
    for model in STORED_MODELS:
        texts = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        for row in model.objects.values_list("pk", *(f.attname for f in texts)):
            for f, value in zip(texts, row[1:], strict=True):
                if value is None:
                    continue
                assert "\x00" not in value, f"NUL byte in {model.__name__}.{f.name}"
                assert f.max_length is None or len(value) <= f.max_length, (
                    f"{model.__name__}.{f.name} holds {len(value)} characters"
                )


def assert_answers_sound():
    """Every answer is for a question of its questionnaire, with a level from 0 to 4."""
    for assessment in Assessment.objects.all():
        questions = {skill.pk for skill in questionnaire_for(assessment).skills}
        for skill_id, level, _note in answers_of(assessment):
            assert skill_id in questions
            assert level is None or 0 <= level <= 4


# --- accounts -------------------------------------------------------------------------


@FUZZ
@given(
    form=posted(
        {
            "username": field("bruno", "Élodie_ة"),
            "email": field("bruno@example.com", "Bruno@Example.COM", "alice@example.com"),
            "password1": field(STRONG),
            "password2": field(STRONG),
            "next": field("/teams/", "//evil.example/"),
        }
    )
)
def test_signup(individual, form):
    with rolled_back():
        users = get_user_model().objects.count()
        client = browser()

        response = post(client, reverse("signup"), form)

        assert response.status_code in (200, 302)
        assert SESSION_KEY not in client.session  # "check your mailbox", whatever the address
        if response.status_code == 302:
            taken = last(form["email"]).strip().lower() == individual.email
            assert get_user_model().objects.count() == users + (0 if taken else 1)
            assert is_local(response["Location"])
            assert response["Location"].startswith(reverse("signup_done"))
        else:
            assert get_user_model().objects.count() == users
            assert shows_error(response)
        assert_storable()


def test_signup_refuses_an_address_longer_than_the_column(db):
    """A valid address of 262 characters: the form must refuse it, not PostgreSQL."""
    email = "b" * 250 + "@example.com"

    response = post(
        browser(),
        reverse("signup"),
        {"username": "bruno", "email": email, "password1": STRONG, "password2": STRONG},
    )

    assert response.status_code == 200
    assert shows_error(response)
    assert not get_user_model().objects.filter(username="bruno").exists()


def test_signup_follows_a_next_that_looks_like_a_view_name(db, mailoutbox):
    """A relative `next` such as 'abc def' is a URL, not a view to reverse: it is kept
    for after the confirmation link, which leads to it."""
    form = {"username": "bruno", "email": "b@example.com", "password1": STRONG}
    client = browser()

    response = post(client, reverse("signup"), {**form, "password2": STRONG, "next": "abc def"})
    link = re.search(r"http://testserver(/\S+)", mailoutbox[-1].body).group(1)
    confirmed = post(client, link, {})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('signup_done')}?next=abc+def"
    assert confirmed["Location"] == f"{reverse('login')}?next=abc+def"


@FUZZ
@given(
    form=posted(
        {
            "username": field("alice", "ALICE", "alice\x00"),
            "password": field(PASSWORD),
            "next": field("/teams/", "https://evil.example/"),
        }
    )
)
def test_login(individual, form):
    with rolled_back():
        client = browser()

        response = post(client, reverse("login"), form)

        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert is_local(response["Location"])
            assert client.session[SESSION_KEY] == str(individual.pk)
        else:
            assert SESSION_KEY not in client.session
            assert shows_error(response)
        assert_storable()


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_login_refuses_a_username_longer_than_the_column(individual, url):
    """django-axes records a failed login's username in 255 characters."""
    client = browser()

    response = post(client, url, {"username": "9" * 300, "password": PASSWORD})

    assert response.status_code == 200
    assert "150" in response.text  # the limit, in the field's error
    assert SESSION_KEY not in client.session
    assert_storable()


@FUZZ
@given(
    form=posted(
        {
            "old_password": field(PASSWORD),
            "new_password1": field(STRONG),
            "new_password2": field(STRONG),
        }
    )
)
def test_password_change(individual, form):
    with rolled_back():
        response = post(browser(individual), reverse("password_change"), form)

        assert response.status_code in (200, 302)
        user = get_user_model().objects.get(pk=individual.pk)
        if response.status_code == 302:
            assert response["Location"] == reverse("password_change_done")
            assert user.check_password(last(form["new_password1"]))
        else:
            assert user.check_password(PASSWORD)
            assert shows_error(response)


@FUZZ
@given(form=posted({"password": field(PASSWORD)}))
def test_account_delete(individual, form):
    with rolled_back():
        response = post(browser(individual), reverse("account_delete"), form)

        assert response.status_code in (200, 302)
        still_there = get_user_model().objects.filter(pk=individual.pk).exists()
        assert still_there == (response.status_code == 200)
        if still_there:
            assert shows_error(response)


@FUZZ
@given(
    form=posted({"language": field("fr", "en", "de", "EN"), "next": field("/", "/teams/")}),
    signed_in=st.booleans(),
)
def test_language_switch(individual, form, signed_in):
    with rolled_back():
        client = browser(individual if signed_in else None)

        response = post(client, reverse("set_language"), form)

        assert response.status_code in (204, 302)
        if response.status_code == 302:
            assert is_local(response["Location"])
        # Whatever the cookie now says, pages come in French or English.
        assert client.get(reverse("home"))["Content-Language"] in ("fr", "en")


# --- a person's assessments -----------------------------------------------------------


@FUZZ
@given(st.data())
def test_new_assessment(world, data):
    role_ids = [str(r.pk) for r in world.roles] + [str(world.hidden.pk), "999999"]
    cycles = [str(world.cycle.pk), str(world.other_cycle.pk), "²", "9" * 20]
    form = data.draw(posted({"roles": field(*role_ids), "cycle": field(*cycles)}))
    query = data.draw(st.fixed_dictionaries({}, optional={"cycle": field(*cycles)}))
    with rolled_back():
        before = set(Assessment.objects.values_list("pk", flat=True))
        url = reverse("assessments:new") + ("?" + urlencode(query) if query else "")

        response = post(browser(world.alice), url, form)

        # 400: a control character in the query string, refused before the view.
        assert response.status_code in (200, 302, 400, 404)
        created = list(Assessment.objects.exclude(pk__in=before))
        assert response.status_code != 400 or not created
        if response.status_code == 302 and created:
            (assessment,) = created
            chosen = RoleChoiceForm(as_querydict(form))
            assert chosen.is_valid()
            assert assessment.owner == world.alice
            assert set(assessment.roles.all()) == set(chosen.cleaned_data["roles"])
            assert assessment.cycle_id is None  # alice's cycle assessment already exists
        elif response.status_code != 302:
            assert not created
        if response.status_code == 200:
            assert shows_error(response)
        assert_storable()


def step_fields(skills, foreign) -> dict:
    """A step form's fields for `skills`, plus the same fields for skills not on the page."""
    fields = {"go": field("next", "previous", "quit", "review", "step-2", "step-²", "step-99")}
    for skill in [*skills, *foreign]:
        fields[f"s{skill.pk}-level"] = levels
        fields[f"s{skill.pk}-note"] = field("Audit ISO 2025")
    return fields


def kept(form, previous) -> tuple:
    """The level and note a valid answer form leaves stored: a field it does not carry
    keeps the stored value (an unset radio sends nothing)."""
    level = form.cleaned_data["level"] if form.carries("level") else None
    note = form.cleaned_data["note"] if form.carries("note") else ""
    if previous:
        level = level if form.carries("level") else previous.level
        note = note if form.carries("note") else previous.note
    return level, note


@FUZZ
@given(st.data())
def test_step_form(world, data):
    questionnaire = questionnaire_for(world.draft)
    mallorys_only = [
        s for s in questionnaire_for(world.others_draft).skills if not questionnaire.has_skill(s.pk)
    ]
    number = data.draw(st.sampled_from([1, 1, 1, 2, 3, 0, 10**6]))
    form = data.draw(
        posted(step_fields(questionnaire.step(1).skills, [*mallorys_only[:1], world.foreign_skill]))
    )
    with rolled_back():
        before, others = answers_of(world.draft), answers_of(world.others_draft)

        response = post(
            browser(world.alice), reverse("assessments:step", args=[world.draft.pk, number]), form
        )

        assert response.status_code in (200, 302, 404)
        assert answers_of(world.others_draft) == others
        assert_answers_sound()
        assert_storable()
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("assessments:list"))
            if number == 1:
                for skill in questionnaire.step(1).skills:
                    expected = AnswerForm(as_querydict(form), prefix=f"s{skill.pk}")
                    assert expected.is_valid()
                    answer = Answer.objects.filter(assessment=world.draft, skill=skill).first()
                    previous = questionnaire.answers.get(skill.pk)
                    level, note = kept(expected, previous)  # a field not sent is kept
                    if answer:
                        assert (answer.level, answer.note) == (level, note)
                    else:
                        assert level is None and not note
        else:
            assert answers_of(world.draft) == before
        if response.status_code == 200:
            assert shows_error(response)


@FUZZ
@given(st.data())
def test_autosave(world, data):
    target = data.draw(
        st.sampled_from(["draft", "draft", "draft", "result", "others_draft", "missing"])
    )
    assessment = getattr(world, target, None)
    pk = assessment.pk if assessment else 10**18
    questions = questionnaire_for(assessment) if assessment else None
    skills = questionnaire_for(world.draft).skills
    skill = data.draw(
        st.sampled_from(
            [*skills, *questionnaire_for(world.others_draft).skills, world.foreign_skill]
        )
    )
    skill_id = data.draw(st.sampled_from([skill.pk, skill.pk, skill.pk, 0, 10**30]))
    form = data.draw(
        posted({f"s{skill_id}-level": levels, f"s{skill_id}-note": field("Audit ISO 2025")})
    )
    with rolled_back():
        before = {a.pk: answers_of(a) for a in Assessment.objects.all()}
        url = reverse("assessments:answer", args=[pk, skill_id])

        response = post(browser(world.alice), url, form, HTTP_HX_REQUEST="true")

        answer_form = AnswerForm(as_querydict(form), prefix=f"s{skill_id}")
        if target in ("others_draft", "missing") or not questions.has_skill(skill_id):
            expected = 404
        elif target == "result":
            expected = 409
        elif not answer_form.is_valid():
            expected = 400
        else:
            expected = 200
        assert response.status_code == expected
        after = {a.pk: answers_of(a) for a in Assessment.objects.all()}
        if expected == 200:
            answer = Answer.objects.filter(assessment=world.draft, skill_id=skill_id).first()
            level, note = kept(answer_form, questions.answers.get(skill_id))
            assert ((answer.level, answer.note) if answer else (None, "")) == (level, note)
            del before[world.draft.pk], after[world.draft.pk]
        assert after == before  # nothing else changed, anywhere
        if expected in (400, 409):
            assert response.text.strip()  # the message shown beside the question
        assert_answers_sound()
        assert_storable()


@FUZZ
@given(
    target=st.sampled_from(["draft", "complete", "result", "others_draft"]),
    form=posted({"go": field("review")}),
)
def test_submit(world, target, form):
    assessment = getattr(world, target)
    with rolled_back():
        before = list(Assessment.objects.order_by("pk").values_list("pk", "status", "snapshot"))

        response = post(
            browser(world.alice), reverse("assessments:review", args=[assessment.pk]), form
        )

        after = list(Assessment.objects.order_by("pk").values_list("pk", "status", "snapshot"))
        if target == "others_draft":
            assert response.status_code == 404
        elif target == "draft":  # questions left unanswered
            assert response.status_code == 200
            assert "Répondez à toutes les questions avant de soumettre." in response.text
        else:
            assert response.status_code == 302
            assert response["Location"] == assessment.get_absolute_url()
        if target == "complete":
            assert Assessment.objects.get(pk=assessment.pk).status == "submitted"
            after = [row for row in after if row[0] != assessment.pk]
            before = [row for row in before if row[0] != assessment.pk]
        assert after == before


# --- teams ----------------------------------------------------------------------------


@FUZZ
@given(form=posted({"name": field("Données", "Équipe ✨")}))
def test_team_create(individual, form):
    with rolled_back():
        teams = Team.objects.count()

        response = post(browser(individual), reverse("teams:list"), form)

        expected = TeamForm(as_querydict(form))
        if expected.is_valid():
            assert response.status_code == 302
            team = Team.objects.latest("pk")
            assert team.name == expected.cleaned_data["name"]
            assert team.memberships.get().user == individual
        else:
            assert response.status_code == 200
            assert shows_error(response)
            assert Team.objects.count() == teams
        assert_storable()


@FUZZ
@given(
    own_team=st.booleans(),
    form=posted(
        {
            "email": field("eve@example.com", "Eve@Example.com", "x" * 300 + "@example.com"),
            "kind": field("member", "manager"),
        }
    ),
)
def test_invite(world, own_team, form):
    team = world.team if own_team else world.other_team
    with rolled_back():
        invitations = rows(Invitation.objects.all(), "pk", "email", "kind", "revoked_at")

        response = post(browser(world.olivia), reverse("teams:invite", args=[team.pk]), form)

        expected = InvitationForm(as_querydict(form))
        if not own_team:
            assert response.status_code == 404
        else:
            assert response.status_code == 302
            assert response["Location"] == team.get_absolute_url()
        if own_team and expected.is_valid():
            invitation = Invitation.objects.latest("pk")
            assert invitation.email == expected.cleaned_data["email"].strip().lower()
            assert invitation.team == world.team
        else:
            assert (
                rows(Invitation.objects.all(), "pk", "email", "kind", "revoked_at") == invitations
            )
            if own_team:
                assert "Saisissez une adresse e-mail valide." in messages_of(response)
        assert_storable()


@FUZZ
@given(st.data())
def test_target_role(world, data):
    membership = data.draw(st.sampled_from([world.alice_membership, world.mallory_membership]))
    role_ids = [str(r.pk) for r in world.roles] + [str(world.hidden.pk), "999999", ""]
    form = data.draw(posted({"role": field(*role_ids)}))
    with rolled_back():
        targets = rows(TeamMembership.objects.all(), "pk", "target_role")

        response = post(
            browser(world.olivia),
            reverse("teams:member_target", args=[world.team.pk, membership.pk]),
            form,
        )

        if membership == world.mallory_membership:
            assert response.status_code == 404
            assert rows(TeamMembership.objects.all(), "pk", "target_role") == targets
        else:
            assert response.status_code == 302
            role = TeamMembership.objects.get(pk=membership.pk).target_role
            assert role is None or role.is_published
            if role == membership.target_role:
                assert rows(TeamMembership.objects.all(), "pk", "target_role") == targets


@FUZZ
@given(st.data())
def test_member_kind(world, data):
    membership = data.draw(st.sampled_from([world.alice_membership, world.mallory_membership]))
    form = data.draw(posted({"kind": field("member", "manager")}))
    with rolled_back():
        response = post(
            browser(world.olivia),
            reverse("teams:member_kind", args=[world.team.pk, membership.pk]),
            form,
        )

        assert response.status_code in (302, 404)
        kinds = set(TeamMembership.objects.values_list("kind", flat=True))
        assert kinds <= {"member", "manager"}
        assert TeamMembership.objects.get(pk=world.mallory_membership.pk).kind == "member"


@FUZZ
@given(
    own_team=st.booleans(),
    form=posted(
        {
            "name": field("Revue 2027"),
            "due_date": field(
                (timezone.localdate() + timedelta(days=30)).isoformat(),
                (timezone.localdate() + timedelta(days=30)).strftime("%d/%m/%Y"),
                (timezone.localdate() - timedelta(days=1)).isoformat(),
                "2030-02-30",
                "0000-01-01",
                "9999-12-31",
                "99999-01-01",
                "31/12/2030",
            ),
        }
    ),
)
def test_cycle_new(world, own_team, form):
    team = world.team if own_team else world.other_team
    with rolled_back():
        cycles = ReviewCycle.objects.count()

        response = post(browser(world.olivia), reverse("teams:cycle_new", args=[team.pk]), form)

        expected = CycleForm(as_querydict(form))
        if not own_team:
            assert response.status_code == 404
            assert ReviewCycle.objects.count() == cycles
        elif expected.is_valid():
            assert response.status_code == 302
            cycle = ReviewCycle.objects.latest("pk")
            assert (cycle.team, cycle.name, cycle.due_date) == (
                world.team,
                expected.cleaned_data["name"],
                expected.cleaned_data["due_date"],
            )
            assert cycle.due_date >= timezone.localdate()
        else:
            assert response.status_code == 302
            assert response["Location"] == world.team.get_absolute_url()
            assert ReviewCycle.objects.count() == cycles
            assert messages_of(response)  # what was wrong, on the team page
        assert_storable()


def rating_fields(assessment, foreign) -> dict:
    fields = {}
    for skill_id in [s["id"] for s in assessment.snapshot["skills"].values()] + foreign:
        fields[f"r{skill_id}-level"] = st.one_of(st.just(""), levels)
        fields[f"r{skill_id}-comment"] = field("Solide sur le sujet")
    return fields


@FUZZ
@given(st.data())
def test_manager_ratings(world, data):
    assessment = data.draw(st.sampled_from([world.cycle_result, world.other_cycle_result]))
    form = data.draw(posted(rating_fields(assessment, [world.foreign_skill.pk])))
    with rolled_back():
        others = ratings_of(world.other_cycle_result)
        before = ratings_of(world.cycle_result)

        response = post(
            browser(world.olivia),
            reverse("teams:review", args=[world.team.pk, assessment.pk]),
            form,
        )

        assert ratings_of(world.other_cycle_result) == others
        if assessment == world.other_cycle_result:
            assert response.status_code == 404
            return
        skill_ids = [s["id"] for s in assessment.snapshot["skills"].values()]
        forms = {i: RatingForm(as_querydict(form), prefix=f"r{i}") for i in skill_ids}
        valid = all(f.is_valid() for f in forms.values())
        writes = [f.write((None, "")) for f in forms.values()] if valid else []
        if any(w is not None and w[0] is None and w[1] for w in writes):
            # A comment with no level to hold it: refused on its row, nothing saved
            assert response.status_code == 200
            assert ratings_of(assessment) == before
        elif valid:
            # None rated yet: a skill is rated where a level is posted; a blank or
            # missing one leaves it unrated
            assert response.status_code == 302
            expected = [
                (i, f.cleaned_data["level"], f.cleaned_data["comment"])
                for i, f in forms.items()
                if isinstance(f.cleaned_data["level"], int)
            ]
            assert sorted(ratings_of(assessment)) == sorted(expected)
        else:
            assert response.status_code == 200
            assert shows_error(response)
            assert ratings_of(assessment) == before
        assert all(0 <= level <= 4 for _s, level, _c in ratings_of(assessment))
        assert_storable()


@FUZZ
@given(st.data())
def test_review_share(world, data):
    assessment = data.draw(st.sampled_from([world.cycle_result, world.other_cycle_result]))
    form = data.draw(posted({"share": field("1", "0")}))
    with rolled_back():
        response = post(
            browser(world.olivia),
            reverse("teams:review_share", args=[world.team.pk, assessment.pk]),
            form,
        )

        assert Assessment.objects.get(pk=world.other_cycle_result.pk).review_shared_at is None
        if assessment == world.other_cycle_result:
            assert response.status_code == 404
        else:
            assert response.status_code == 302
            shared = Assessment.objects.get(pk=assessment.pk).review_shared_at is not None
            assert shared == (last(form.get("share")) != "0")


@FUZZ
@given(st.data())
def test_invitation_accept(world, data):
    token = data.draw(st.one_of(st.just(world.invitation.token), hostile.filter(bool)))
    form = data.draw(posted({}))
    with rolled_back():
        memberships = TeamMembership.objects.count()

        response = post(browser(world.carol), f"/teams/invitations/{quote(token, safe='')}/", form)

        if token == world.invitation.token:
            assert response.status_code == 302
            assert TeamMembership.objects.count() == memberships + 1
        else:
            # A NUL byte in the address is refused before any view (config/middleware.py).
            assert response.status_code == (400 if "\x00" in token else 404)
            assert TeamMembership.objects.count() == memberships


# --- values that once broke a view ----------------------------------------------------


@pytest.mark.parametrize("go", ["step-²", "step-" + "9" * 5_000, "step--1", "step-0"])
def test_step_buttons_with_odd_targets(world, go):
    skill = questionnaire_for(world.draft).step(1).skills[0]
    url = reverse("assessments:step", args=[world.draft.pk, 1])

    response = post(browser(world.alice), url, {f"s{skill.pk}-level": "3", "go": go})

    assert response.status_code == 302
    assert response["Location"].startswith(f"/assessments/{world.draft.pk}/")
    assert Answer.objects.get(assessment=world.draft, skill=skill).level == 3


@pytest.mark.parametrize("cycle", ["²", "١", "9" * 20, "9" * 5_000, "-1", "abc"])
def test_new_assessment_ignores_a_cycle_that_is_no_id(world, cycle):
    form = {"roles": [world.roles[0].pk], "cycle": cycle}

    response = post(browser(world.alice), reverse("assessments:new"), form)
    page = browser(world.alice).get(reverse("assessments:new") + "?" + urlencode({"cycle": cycle}))

    assessment = Assessment.objects.latest("pk")
    assert response["Location"] == reverse("assessments:step", args=[assessment.pk, 1])
    assert (assessment.owner, assessment.cycle) == (world.alice, None)
    assert page.status_code == 200


@pytest.mark.parametrize("role", ["9" * 20, "9" * 5_000, "²", "-1", " 1"])
def test_new_assessment_refuses_a_role_id_that_is_no_id(world, role):
    """Found by hypothesis: an id beyond 64 bits overflowed SQLite in the roles' IN lookup."""
    assessments = Assessment.objects.count()
    form = {"roles": [str(world.roles[0].pk), role]}

    response = post(browser(world.alice), reverse("assessments:new"), form)

    assert response.status_code == 200
    assert shows_error(response)
    assert Assessment.objects.count() == assessments


@pytest.mark.parametrize("cycle", [0, 999999999999999999, 9 * 10**20])
def test_new_assessment_for_an_unknown_cycle_is_not_found(world, cycle):
    assessments = Assessment.objects.count()
    form = {"roles": [world.roles[0].pk], "cycle": str(cycle)}
    url = reverse("teams:cycle_start", args=[world.team.pk, cycle])

    response = post(browser(world.alice), url, form)

    assert response.status_code == 404
    assert Assessment.objects.count() == assessments


@pytest.mark.parametrize("role", ["9" * 20, "9" * 5_000, "²", "-1", " 1", ""])
def test_choosing_roles_for_a_cycle_refuses_a_role_id_that_is_no_id(world, role):
    world.alice.team_memberships.update(target_role=None)
    Assessment.objects.filter(owner=world.alice, cycle=world.cycle).delete()
    assessments = Assessment.objects.count()
    form = {"roles": [role], "cycle": str(world.cycle.pk)}
    url = reverse("teams:cycle_start", args=[world.team.pk, world.cycle.pk])

    response = post(browser(world.alice), url, form)

    assert response.status_code == 200
    assert shows_error(response)
    assert Assessment.objects.count() == assessments


def test_invite_refuses_an_address_longer_than_the_column(world):
    """A valid address of 312 characters: the form must refuse it, not PostgreSQL."""
    invitations = Invitation.objects.count()
    form = {"email": "x" * 300 + "@example.com", "kind": "member"}

    response = post(browser(world.olivia), reverse("teams:invite", args=[world.team.pk]), form)

    assert response.status_code == 302
    assert "Saisissez une adresse e-mail valide." in messages_of(response)
    assert Invitation.objects.count() == invitations


@pytest.mark.parametrize("token", ["\x00", "abc\x00", "%00", "é" * 100, "9" * 5_000])
def test_invitation_link_with_an_odd_token_is_not_found(world, token):
    # A NUL byte in the address is refused before any view (config/middleware.py).
    expected = 400 if "\x00" in token else 404
    for client in (browser(world.carol), browser()):
        url = f"/teams/invitations/{quote(token, safe='')}/"
        assert client.get(url).status_code == expected
        assert client.post(url).status_code == expected
    assert not TeamMembership.objects.filter(user=world.carol).exists()


# --- the catalogue import (editors) ---------------------------------------------------

CSV_ROWS = [
    {"type": "category", "code": "fuzz", "name_fr": "Flou", "name_en": "Fuzz"},
    {"type": "skill", "code": "fuzz-skill", "parent": "fuzz", "name_fr": "Lire", "name_en": "Read"},
    {"type": "level", "code": "fuzz-skill", "level": "1", "text_fr": "Lit.", "text_en": "Reads."},
    {"type": "action", "code": "fuzz-skill", "level": "2", "kind": "training"}
    | {"name_fr": "Se former", "name_en": "Get trained"},
    {"type": "role", "code": "FUZZ", "published": "true", "name_fr": "Flou", "name_en": "Fuzz"},
    {"type": "requirement", "code": "FUZZ", "parent": "fuzz-skill", "weight": "5", "target": "3"},
    {"type": "career", "code": "FUZZ", "direction": "to", "name_fr": "Suite", "name_en": "Next"},
]


def csv_file(rows) -> bytes:
    """The rows as an import file; the columns a row does not use are left empty."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def confirm_fields(preview) -> dict:
    """What the preview page's confirm button sends: the preview's token and digest."""
    pending = preview.context["pending"]
    return {"confirm": "1", "token": pending.token, "digest": pending.digest}


def test_the_import_file_the_fuzzing_starts_from_is_good(world):
    url = reverse("admin:careers_catalogue_import")
    client = browser(world.editor)

    preview = client.post(url, {"file": SimpleUploadedFile("catalogue.csv", csv_file(CSV_ROWS))})
    confirmed = client.post(url, confirm_fields(preview))

    assert preview.context.get("report")
    assert confirmed.status_code == 302
    assert Role.objects.filter(code="FUZZ").exists()


@st.composite
def import_files(draw):
    """A good file with one cell made hostile, a random JSON document, or random bytes."""
    kind = draw(st.sampled_from(["cell", "cell", "json", "bytes"]))
    if kind == "cell":
        rows = [dict(row) for row in CSV_ROWS]
        rows[draw(st.integers(0, len(rows) - 1))][draw(st.sampled_from(COLUMNS))] = draw(hostile)
        return "catalogue.csv", csv_file(rows)
    if kind == "json":
        leaves = st.none() | st.booleans() | st.integers() | hostile
        document = draw(
            st.recursive(
                leaves,
                lambda children: (
                    st.lists(children, max_size=3)
                    | st.dictionaries(
                        st.sampled_from(
                            ["categories", "roles", "code", "name", "fr", "en", "skills"]
                        ),
                        children,
                        max_size=4,
                    )
                ),
                max_leaves=12,
            )
        )
        return "catalogue.json", json.dumps(document).encode()
    name = draw(st.sampled_from(["catalogue.csv", "catalogue.json", "catalogue.txt"]))
    return name, draw(st.binary(max_size=300))


def catalogue_rows() -> dict:
    return {
        model.__name__: rows(model.objects.all(), *[f.attname for f in model._meta.concrete_fields])
        for model in CATALOGUE_MODELS
    }


@FUZZ
@given(upload=import_files())
def test_catalogue_import(world, upload):
    name, content = upload
    url = reverse("admin:careers_catalogue_import")
    with rolled_back():
        client = browser(world.editor)
        before = catalogue_rows()

        preview = client.post(url, {"file": SimpleUploadedFile(name, content)})

        assert preview.status_code == 200
        assert catalogue_rows() == before  # a preview writes nothing
        if preview.context.get("report"):
            confirmed = client.post(url, confirm_fields(preview))
            assert confirmed.status_code in (200, 302)
        else:
            assert preview.context.get("errors") or preview.context["form"].errors
        assert_storable()


@pytest.mark.parametrize(
    "row, column, value",
    [
        pytest.param(0, "name_fr", "Flou\x00", id="NUL in a name"),
        pytest.param(2, "text_fr", "Lit\x00.", id="NUL in a descriptor"),
        pytest.param(5, "weight", "9" * 5_000, id="a weight of 5000 digits"),
        pytest.param(2, "level", "²", id="a superscript level"),
        pytest.param(0, "name_en", "F" * 10_001, id="a huge name"),
    ],
)
def test_catalogue_import_refuses_a_hostile_cell(world, row, column, value):
    rows = [dict(r) for r in CSV_ROWS]
    rows[row][column] = value
    url = reverse("admin:careers_catalogue_import")
    client = browser(world.editor)
    before = catalogue_rows()

    response = client.post(url, {"file": SimpleUploadedFile("catalogue.csv", csv_file(rows))})

    assert response.status_code == 200
    assert response.context.get("errors")
    assert catalogue_rows() == before


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            b'{"roles": [{"code": "X", "weight": ' + b"1" * 5_000 + b"}]}", id="long number"
        ),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="deep nesting"),
        pytest.param(b'{"categories": [{"code": "a\\u0000b"}]}', id="escaped NUL"),
    ],
)
def test_catalogue_import_refuses_hostile_json(world, content):
    client = browser(world.editor)
    before = catalogue_rows()

    response = client.post(
        reverse("admin:careers_catalogue_import"),
        {"file": SimpleUploadedFile("catalogue.json", content)},
    )

    assert response.status_code == 200
    assert response.context.get("errors")
    assert catalogue_rows() == before


@FUZZ
@given(token=hostile, digest=hostile)
def test_catalogue_import_confirm_with_a_hostile_token(world, token, digest):
    client = browser(world.editor)
    before = catalogue_rows()

    response = client.post(
        reverse("admin:careers_catalogue_import"),
        {"confirm": "1", "token": token, "digest": digest},
    )

    assert response.status_code == 200
    assert response.context.get("errors")
    assert catalogue_rows() == before


# --- ids in URLs: someone else's, or none at all --------------------------------------

BEYOND_BIGINT = 10**30
# Who asks, how, which URL, its arguments with `x` where the id goes, and an id of the
# same kind that belongs to someone else.
ID_CASES = {
    "result page": ("alice", "get", "assessments:detail", lambda w, x: [x], "others_draft"),
    "step page": ("alice", "get", "assessments:step", lambda w, x: [x, 1], "others_draft"),
    "step form": ("alice", "post", "assessments:step", lambda w, x: [x, 1], "others_draft"),
    "autosave": (
        "alice",
        "post",
        "assessments:answer",
        lambda w, x: [x, questionnaire_for(w.draft).skills[0].pk],
        "others_draft",
    ),
    "submit": ("alice", "post", "assessments:review", lambda w, x: [x], "others_draft"),
    "retake": ("alice", "post", "assessments:retake", lambda w, x: [x], "other_cycle_result"),
    "delete": ("alice", "post", "assessments:delete", lambda w, x: [x], "others_draft"),
    "compare": ("alice", "get", "assessments:compare", lambda w, x: [x], "other_cycle_result"),
    "shared review": (
        "alice",
        "get",
        "teams:shared_review",
        lambda w, x: [x],
        "other_cycle_result",
    ),
    "result.json": (
        "alice",
        "get",
        "assessments:result_json",
        lambda w, x: [x],
        "other_cycle_result",
    ),
    "gaps.csv": ("alice", "get", "assessments:result_csv", lambda w, x: [x], "other_cycle_result"),
    "cycle start": (
        "alice",
        "post",
        "teams:cycle_start",
        lambda w, x: [w.team.pk, x],
        "other_cycle",
    ),
    "team page": ("olivia", "get", "teams:detail", lambda w, x: [x], "other_team"),
    "invite": ("olivia", "post", "teams:invite", lambda w, x: [x], "other_team"),
    "resend": (
        "olivia",
        "post",
        "teams:invitation_resend",
        lambda w, x: [w.team.pk, x],
        "other_invitation",
    ),
    "revoke": (
        "olivia",
        "post",
        "teams:invitation_revoke",
        lambda w, x: [w.team.pk, x],
        "other_invitation",
    ),
    "remove member": (
        "olivia",
        "post",
        "teams:member_remove",
        lambda w, x: [w.team.pk, x],
        "mallory_membership",
    ),
    "member kind": (
        "olivia",
        "post",
        "teams:member_kind",
        lambda w, x: [w.team.pk, x],
        "mallory_membership",
    ),
    "target role": (
        "olivia",
        "post",
        "teams:member_target",
        lambda w, x: [w.team.pk, x],
        "mallory_membership",
    ),
    "cycle new": ("olivia", "post", "teams:cycle_new", lambda w, x: [x], "other_team"),
    "dashboard": ("olivia", "get", "teams:cycle", lambda w, x: [w.team.pk, x], "other_cycle"),
    "matrix.json": (
        "olivia",
        "get",
        "teams:cycle_matrix",
        lambda w, x: [w.team.pk, x, "json"],
        "other_cycle",
    ),
    "cycle close": (
        "olivia",
        "post",
        "teams:cycle_close",
        lambda w, x: [w.team.pk, x],
        "other_cycle",
    ),
    "ratings page": (
        "olivia",
        "get",
        "teams:review",
        lambda w, x: [w.team.pk, x],
        "other_cycle_result",
    ),
    "ratings form": (
        "olivia",
        "post",
        "teams:review",
        lambda w, x: [w.team.pk, x],
        "other_cycle_result",
    ),
    "share": (
        "olivia",
        "post",
        "teams:review_share",
        lambda w, x: [w.team.pk, x],
        "other_cycle_result",
    ),
}


def database_rows() -> dict:
    return {
        model.__name__: rows(model.objects.all(), *[f.attname for f in model._meta.concrete_fields])
        for model in STORED_MODELS
    }


@pytest.mark.parametrize("case", ID_CASES)
def test_an_id_that_is_not_yours_is_not_found(world, case):
    user, method, name, args, foreign = ID_CASES[case]
    client = browser(getattr(world, user))
    before = database_rows()

    for x in (getattr(world, foreign).pk, BEYOND_BIGINT):
        response = getattr(client, method)(reverse(name, args=args(world, x)))

        assert response.status_code == 404
        assert database_rows() == before


# --- control characters: NUL, C0 and C1, in addresses and in forms --------------------

# Every C0 control (NUL, tab, line feed, carriage return, escape...), DEL and every C1
# control (U+0080-U+009F, NEL among them). PostgreSQL refuses NUL in any text; the others
# it stores, so a form either refuses them with a message or keeps them.
CONTROLS = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))]
with_controls = st.tuples(
    st.one_of(st.sampled_from(["", "Données", "x@example.com", "alice"]), any_text),
    st.lists(st.sampled_from(CONTROLS), min_size=1, max_size=3).map("".join),
    st.one_of(st.just(""), any_text),
).map("".join)


def test_the_control_characters_include_nul_c0_and_c1():
    assert {"\x00", "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9f"} <= set(CONTROLS)
    assert len(CONTROLS) == 32 + 1 + 32


# Pages and the query parameters their views read (and others they ignore), by person.
QUERY_PAGES = {
    None: [
        ("home", []),
        ("login", ["next"]),
        ("signup", ["next"]),
        ("careers:role_list", []),
        ("careers:role_matrix", []),
    ],
    "alice": [
        ("account", []),
        ("assessments:list", []),
        ("assessments:new", ["role", "cycle"]),
        ("assessments:detail", ["lang"], lambda w: [w.result.pk]),
        ("assessments:step", ["go"], lambda w: [w.draft.pk, 1]),
        ("assessments:review", [], lambda w: [w.draft.pk]),
        ("assessments:compare", [], lambda w: [w.result.pk]),
        ("assessments:simulate", ["role", "s-*"], lambda w: [w.result.pk]),
        ("assessments:path", ["to", "s-*"], lambda w: [w.result.pk, "BBB"]),
        ("teams:list", []),
        ("teams:invitation", [], lambda w: [w.invitation.token]),
    ],
    "olivia": [
        ("teams:detail", [], lambda w: [w.team.pk]),
        ("teams:cycle", [], lambda w: [w.team.pk, w.cycle.pk]),
        ("teams:review", [], lambda w: [w.team.pk, w.cycle_result.pk]),
    ],
    "editor": [
        ("admin:careers_role_changelist", ["q", "o", "p", "is_published__exact", "ladder"]),
        ("admin:careers_skill_changelist", ["q", "category__id__exact", "roles__id__exact"]),
        ("admin:careers_skillcategory_changelist", ["q"]),
        ("admin:careers_nextstepaction_changelist", ["q", "kind__exact", "level__exact"]),
        ("admin:careers_careerstep_changelist", ["q", "direction__exact"]),
        ("admin:careers_catalogue_import", []),
    ],
}


@FUZZ
@given(st.data())
def test_query_strings_with_control_characters(world, data):
    """Whatever the query string holds, a page answers: 400 for a NUL (refused before
    any view, config/middleware.py), else the page, a redirect or a 404; never a 500."""
    who = data.draw(st.sampled_from(list(QUERY_PAGES)))
    name, params, *args = data.draw(st.sampled_from(QUERY_PAGES[who]))
    skill = world.roles[1].requirements.first().skill.code
    keys = [p.replace("*", skill) for p in params] + ["next", "page"]
    query = data.draw(
        st.lists(
            st.tuples(st.one_of(st.sampled_from(keys), with_controls), with_controls),
            min_size=1,
            max_size=3,
        )
    )
    url = reverse(name, args=args[0](world) if args else None) + "?" + urlencode(query)
    with rolled_back():
        client = browser(getattr(world, who) if who else None)

        response = client.get(url)

        if any("\x00" in key + value for key, value in query):
            assert response.status_code == 400
            assert "NUL" in response.text
        else:
            assert response.status_code in (200, 302, 404), (url, response.status_code)
        assert_storable()


def poisoned(base: dict, fields: list[str], data) -> dict:
    """The valid form `base` with one or more of `fields` holding control characters."""
    chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=2, unique=True))
    return base | {field_name: data.draw(with_controls) for field_name in chosen}


@FUZZ
@given(st.data())
def test_signup_and_login_with_control_characters(world, data):
    signup = {
        "username": "bruno",
        "email": "bruno@example.com",
        "password1": STRONG,
        "password2": STRONG,
        "next": "/teams/",
    }
    login = {"username": "alice", "password": PASSWORD, "next": "/teams/"}
    url, base = data.draw(st.sampled_from([("signup", signup), ("login", login)]))
    form = poisoned(base, list(base), data)
    with rolled_back():
        users = get_user_model().objects.count()

        response = post(browser(), reverse(url), form)

        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert shows_error(response)
            assert get_user_model().objects.count() == users
        for user in get_user_model().objects.all():
            assert not any(c in CONTROLS for c in user.username + user.email)
        assert_storable()


@FUZZ
@given(st.data())
def test_account_forms_with_control_characters(world, data):
    password_change = {
        "old_password": PASSWORD,
        "new_password1": STRONG,
        "new_password2": STRONG,
    }
    url, base = data.draw(
        st.sampled_from(
            [("password_change", password_change), ("account_delete", {"password": PASSWORD})]
        )
    )
    form = poisoned(base, list(base), data)
    with rolled_back():
        response = post(browser(world.alice), reverse(url), form)

        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert shows_error(response)
        assert_storable()


@FUZZ
@given(st.data())
def test_team_forms_with_control_characters(world, data):
    """Team and cycle names are one line (careers/validators.py): a control character is
    a message on the field or on the team page, never a stored name. An address with one
    is no address."""
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    forms = [
        (reverse("teams:list"), {"name": "Données"}, ["name"]),
        (reverse("teams:rename", args=[world.team.pk]), {"name": "Plateforme 2"}, ["name"]),
        (
            reverse("teams:cycle_new", args=[world.team.pk]),
            {"name": "Revue", "due_date": due},
            ["name", "due_date"],
        ),
        (
            reverse("teams:invite", args=[world.team.pk]),
            {"email": "eve@example.com", "kind": "member"},
            ["email", "kind"],
        ),
    ]
    url, base, fields = data.draw(st.sampled_from(forms))
    form = poisoned(base, fields, data)
    with rolled_back():
        response = post(browser(world.olivia), url, form)

        assert response.status_code in (200, 302)
        for text in [
            *Team.objects.values_list("name", flat=True),
            *ReviewCycle.objects.values_list("name", flat=True),
            *Invitation.objects.values_list("email", flat=True),
        ]:
            assert not any(c in CONTROLS for c in text), repr(text)
        assert_storable()


@FUZZ
@given(st.data())
def test_notes_and_comments_with_control_characters(world, data):
    """An evidence note or a manager's comment may keep line breaks and tabs; a NUL is a
    message beside the field (PostgreSQL would refuse it), never a 500."""
    skill = questionnaire_for(world.draft).step(1).skills[0]
    rated = next(iter(world.cycle_result.snapshot["skills"].values()))["id"]
    forms = [
        (
            world.alice,
            reverse("assessments:step", args=[world.draft.pk, 1]),
            {f"s{skill.pk}-level": "2", f"s{skill.pk}-note": "Audit", "go": "quit"},
            [f"s{skill.pk}-note"],
            {},
        ),
        (
            world.alice,
            reverse("assessments:answer", args=[world.draft.pk, skill.pk]),
            {f"s{skill.pk}-level": "2", f"s{skill.pk}-note": "Audit"},
            [f"s{skill.pk}-note"],
            {"HTTP_HX_REQUEST": "true"},
        ),
        (
            world.olivia,
            reverse("teams:review", args=[world.team.pk, world.cycle_result.pk]),
            {f"r{rated}-level": "3", f"r{rated}-comment": "Solide"},
            [f"r{rated}-comment"],
            {},
        ),
    ]
    user, url, base, fields, headers = data.draw(st.sampled_from(forms))
    form = poisoned(base, fields, data)
    with rolled_back():
        response = post(browser(user), url, form, **headers)

        assert response.status_code in (200, 302, 400)
        if "\x00" in "".join(form.values()):
            assert response.status_code in (200, 400)  # refused, with a message
            assert response.text.strip()
        assert_answers_sound()
        assert_storable()


def admin_change_form(client, url) -> dict:
    """The POST body the admin change page at `url` sends unchanged, inlines included."""
    from tests.careers.test_admin import form_data

    response = client.get(url)
    assert response.status_code == 200
    return form_data(response)


@FUZZ
@given(st.data())
def test_catalogue_admin_forms_with_control_characters(world, data):
    """Catalogue names refuse control characters on the field; descriptions and
    descriptors keep line breaks; a NUL anywhere is a message, never a 500."""
    skill, role = world.foreign_skill, world.roles[0]
    category = skill.category
    action = skill.actions.first()
    step = role.career_steps.first()
    level = skill.levels.first()
    pages = [
        (
            "admin:careers_skillcategory_change",
            category.pk,
            ["name_fr", "name_en", "description_fr", "code"],
        ),
        (
            "admin:careers_skill_change",
            skill.pk,
            [
                "name_fr",
                "name_en",
                "description_en",
                "levels-0-descriptor_fr",
                "actions-0-title_fr",
            ],
        ),
        (
            "admin:careers_role_change",
            role.pk,
            ["name_fr", "summary_fr", "ladder", "career_steps-0-name_fr"],
        ),
        ("admin:careers_nextstepaction_change", action.pk, ["title_fr", "detail_en"]),
        ("admin:careers_careerstep_change", step.pk, ["name_fr", "name_en"]),
        ("admin:careers_skilllevel_change", level.pk, ["descriptor_fr"]),
    ]
    name, pk, fields = data.draw(st.sampled_from(pages))
    client = browser(world.editor)
    url = reverse(name, args=[pk])
    base = admin_change_form(client, url)
    form = poisoned(base, [f for f in fields if f in base], data)
    with rolled_back():
        response = post(client, url, form)

        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert "errornote" in response.text or "errorlist" in response.text
        for model, columns in (
            (catalogue_models.SkillCategory, ["name_fr", "name_en"]),
            (catalogue_models.Skill, ["name_fr", "name_en"]),
            (catalogue_models.Role, ["name_fr", "name_en"]),
            (catalogue_models.NextStepAction, ["title_fr", "title_en"]),
            (catalogue_models.CareerStep, ["name_fr", "name_en"]),
        ):
            for row in model.objects.values_list(*columns):
                assert not any(c in CONTROLS for c in "".join(v or "" for v in row)), row
        assert_storable()


# Every control character, in four strings: each page and each form field gets them all.
CONTROL_SAMPLES = {
    "NUL": "Audit\x00 2025",
    "C0": "Audit " + "".join(c for c in CONTROLS if "\x00" < c < " "),
    "DEL and C1": "Audit \x7f" + "".join(c for c in CONTROLS if c >= "\x80"),
    "C1 alone": "\x9b",  # CSI, which terminals read as the start of a command
}
QUERY_CASES = [
    pytest.param(who, page, sample, id=f"{page[0]}-{sample}")
    for who, pages in QUERY_PAGES.items()
    for page in pages
    for sample in CONTROL_SAMPLES
]


@pytest.mark.parametrize("who, page, sample", QUERY_CASES)
def test_every_page_answers_a_query_string_of_control_characters(world, who, page, sample):
    name, params, *args = page
    skill = world.roles[1].requirements.first().skill.code
    value = CONTROL_SAMPLES[sample]
    query = [(p.replace("*", skill), value) for p in [*params, "next"]] + [(value, "1")]
    url = reverse(name, args=args[0](world) if args else None) + "?" + urlencode(query)

    response = browser(getattr(world, who) if who else None).get(url)

    assert response.status_code == (400 if sample == "NUL" else response.status_code)
    assert response.status_code in (200, 302, 400, 404), (url, response.status_code)
    assert_storable()


FORM_CASES = {
    # name: (who, URL, a valid form, the fields that get the control characters)
    "sign-up": (
        None,
        lambda w: reverse("signup"),
        {"username": "bruno", "email": "b@example.com", "password1": STRONG, "password2": STRONG},
        ["username", "email", "password1"],
    ),
    "log-in": (None, lambda w: reverse("login"), {"username": "alice"}, ["username", "password"]),
    "password change": (
        "alice",
        lambda w: reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG},
        ["old_password", "new_password1", "new_password2"],
    ),
    "account deletion": (
        "alice",
        lambda w: reverse("account_delete"),
        {"password": PASSWORD},
        ["password"],
    ),
    "team name": ("alice", lambda w: reverse("teams:list"), {"name": "Données"}, ["name"]),
    "team rename": (
        "olivia",
        lambda w: reverse("teams:rename", args=[w.team.pk]),
        {"name": "Plateforme 2"},
        ["name"],
    ),
    "invitation": (
        "olivia",
        lambda w: reverse("teams:invite", args=[w.team.pk]),
        {"email": "eve@example.com", "kind": "member"},
        ["email", "kind"],
    ),
    "cycle": (
        "olivia",
        lambda w: reverse("teams:cycle_new", args=[w.team.pk]),
        {"name": "Revue", "due_date": "2099-01-01"},
        ["name", "due_date"],
    ),
    "evidence note": (
        "alice",
        lambda w: reverse("assessments:step", args=[w.draft.pk, 1]),
        {"go": "quit"},
        ["s{skill}-note", "s{skill}-level", "go"],
    ),
    "autosaved note": (
        "alice",
        lambda w: reverse(
            "assessments:answer", args=[w.draft.pk, questionnaire_for(w.draft).skills[0].pk]
        ),
        {},
        ["s{skill}-note", "s{skill}-level"],
    ),
    "manager comment": (
        "olivia",
        lambda w: reverse("teams:review", args=[w.team.pk, w.cycle_result.pk]),
        {},
        ["r{rated}-comment", "r{rated}-level"],
    ),
}
FORM_SAMPLE_CASES = [
    pytest.param(name, sample, id=f"{name}-{sample}")
    for name in FORM_CASES
    for sample in CONTROL_SAMPLES
]


@pytest.mark.parametrize("name, sample", FORM_SAMPLE_CASES)
def test_every_form_answers_control_characters(world, name, sample):
    """A form field of control characters is a message on the page (or, for the htmx
    autosave, a 400 with the message), never a 500; nothing PostgreSQL refuses is stored."""
    who, url, base, fields = FORM_CASES[name]
    skill = questionnaire_for(world.draft).skills[0].pk
    rated = next(iter(world.cycle_result.snapshot["skills"].values()))["id"]
    fields = [f.format(skill=skill, rated=rated) for f in fields]
    form = base | {f: CONTROL_SAMPLES[sample] for f in fields}
    headers = {"HTTP_HX_REQUEST": "true"} if name == "autosaved note" else {}

    response = post(browser(getattr(world, who) if who else None), url(world), form, **headers)

    assert response.status_code in (200, 302, 400)
    if response.status_code == 200:
        assert shows_error(response) or response.text.strip()
    assert_storable()


# name: (the model's admin, the object, whether its page holds a one-line name)
ADMIN_CASES = {
    "category": ("skillcategory", lambda w: w.foreign_skill.category, True),
    "skill": ("skill", lambda w: w.foreign_skill, True),
    "role": ("role", lambda w: w.roles[0], True),
    "next-step action": ("nextstepaction", lambda w: w.foreign_skill.actions.first(), True),
    "career step": ("careerstep", lambda w: w.roles[0].career_steps.first(), True),
    "level descriptor": ("skilllevel", lambda w: w.foreign_skill.levels.first(), False),
}
TEXT_WIDGETS = ("text", "textarea", "email")


@pytest.mark.parametrize("name, sample", [(n, s) for n in ADMIN_CASES for s in CONTROL_SAMPLES])
def test_every_catalogue_admin_form_answers_control_characters(world, name, sample):
    """Each text field of the change page, inlines included, gets the characters: the page
    comes back with the error (a NUL anywhere, any control character in a name), or saves
    what may be kept (line breaks in a descriptor); never a 500."""
    model, instance, has_name = ADMIN_CASES[name]
    client = browser(world.editor)
    url = reverse(f"admin:careers_{model}_change", args=[instance(world).pk])
    page = client.get(url)
    base = admin_change_form(client, url)
    texts = [
        field
        for field in base
        if f'name="{field}"' in page.text
        and any(
            re.search(rf'<(input type="{kind}"|{kind})[^>]*name="{re.escape(field)}"', page.text)
            for kind in TEXT_WIDGETS
        )
    ]
    assert texts, "the change page has text fields"
    form = base | {field: CONTROL_SAMPLES[sample] for field in texts}

    response = post(client, url, form)

    refused = sample == "NUL" or has_name
    assert response.status_code == (200 if refused else 302)
    if refused:
        assert "errorlist" in response.text
    assert_storable()


@pytest.mark.parametrize("cookie", ["sessionid", "csrftoken", "django_language", "other"])
def test_a_cookie_with_a_nul_is_left_unread(world, cookie):
    """A cookie may carry a NUL (a quoted "\\000" in the Cookie header): PostgreSQL refused
    the session key in its query (a 500). Such a cookie is dropped before any middleware
    reads it: the person is signed out, the page answers."""
    client = browser()
    header = {"HTTP_COOKIE": f'{cookie}="abcdefgh\\000ijklmnop"'}

    for url in (reverse("home"), reverse("assessments:list")):
        response = client.get(url, **header)

        assert response.status_code in (200, 302)
    assert response["Location"].startswith(reverse("login"))
    assert_storable()
