"""The catalogue admin: who may use it, validation, history and revert, publishing."""

import json
import re
import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from assessments.services import assessment_start
from careers.interchange import (
    MAX_IMPORT_BYTES,
    PENDING_IMPORTS_PER_PERSON,
    ImportRejected,
    catalogue_document,
    import_catalogue,
    pending_import_confirm,
    pending_import_keep,
)
from careers.models import PendingImport, Role, RoleRequirement
from tests.assessments.helpers import submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue_editor(db):
    user = UserFactory(username="edith", is_staff=True)
    user.groups.add(Group.objects.get(name="Catalogue editors"))
    return user


def form_data(response) -> dict:
    """The POST body an unchanged admin change form would send, inlines included."""
    data = {}
    for name in response.context["adminform"].form.fields:
        value = response.context["adminform"].form[name].value()
        if value is None:
            continue
        data[name] = "on" if value is True else "" if value is False else value
        if value is False:
            del data[name]
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is None or value is False:
                    continue
                data[form.add_prefix(name)] = value
    return {k: v for k, v in data.items() if v != ""}


def requirement_index(response, requirement) -> int:
    formset = next(
        i.formset
        for i in response.context["inline_admin_formsets"]
        if i.formset.model is RoleRequirement
    )
    ids = [form.instance.pk for form in formset.forms]
    return formset.prefix, ids.index(requirement.pk)


CATALOGUE_PAGES = [
    "admin:careers_skillcategory_changelist",
    "admin:careers_skill_changelist",
    "admin:careers_role_changelist",
    "admin:careers_rolerequirement_changelist",
    "admin:careers_skilllevel_changelist",
    "admin:careers_nextstepaction_changelist",
    "admin:careers_careerstep_changelist",
]


@pytest.mark.parametrize("name", CATALOGUE_PAGES)
def test_editor_reaches_every_catalogue_page(client, catalogue_editor, catalogue, name):
    client.force_login(catalogue_editor)
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(
    "name", ["admin:auth_user_changelist", "admin:assessments_assessment_changelist"]
)
def test_editor_cannot_see_people_or_assessments(client, catalogue_editor, name):
    client.force_login(catalogue_editor)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["admin:index", *CATALOGUE_PAGES])
def test_individuals_cannot_reach_the_admin(client, individual, name):
    client.force_login(individual)
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_role_page_shows_total_weight_and_skills_by_category(client, catalogue_editor, catalogue):
    client.force_login(catalogue_editor)
    role = catalogue[0]  # weights 1,2,3,4,5,1 = 16

    response = client.get(reverse("admin:careers_role_change", args=[role.pk]))

    assert "<strong>16</strong> poids total" in response.text
    for category in {r.skill.category for r in role.requirements.select_related("skill__category")}:
        assert category.name_fr in response.text
    assert "Nom [fr]" in response.text and "Nom [en]" in response.text


def test_editor_changes_a_weight_then_reverts_it(client, catalogue_editor, catalogue):
    client.force_login(catalogue_editor)
    role = catalogue[0]
    requirement = role.requirements.order_by("skill__category__order", "skill__order").first()
    original = requirement.weight
    url = reverse("admin:careers_role_change", args=[role.pk])
    page = client.get(url)
    data = form_data(page)
    prefix, index = requirement_index(page, requirement)
    data[f"{prefix}-{index}-weight"] = 5 if original != 5 else 4

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    requirement.refresh_from_db()
    assert requirement.weight != original
    latest = requirement.history.first()
    assert latest.history_user == catalogue_editor
    assert latest.history_type == "~"

    history = requirement.history.order_by("history_date")
    records_before = history.count()
    first = history.first()
    revert_url = reverse(
        "admin:careers_rolerequirement_simple_history", args=[requirement.pk, first.history_id]
    )
    revert_page = client.get(revert_url)
    assert revert_page.status_code == 200
    response = client.post(revert_url, form_data(revert_page))

    assert response.status_code == 302
    requirement.refresh_from_db()
    assert requirement.weight == original
    assert requirement.history.count() == records_before + 1


def test_out_of_range_weight_is_refused_on_its_field_and_nothing_is_saved(
    client, catalogue_editor, catalogue
):
    client.force_login(catalogue_editor)
    role = catalogue[0]
    requirement = role.requirements.first()
    url = reverse("admin:careers_role_change", args=[role.pk])
    page = client.get(url)
    data = form_data(page)
    prefix, index = requirement_index(page, requirement)
    data[f"{prefix}-{index}-weight"] = 9
    data["name_fr"] = "Nouveau nom"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Le poids va de 1 (utile) à 5 (essentiel)." in response.text
    role.refresh_from_db()
    assert role.name_fr != "Nouveau nom"
    assert RoleRequirement.objects.get(pk=requirement.pk).weight == requirement.weight


def test_duplicate_requirement_is_refused(client, catalogue_editor, catalogue):
    client.force_login(catalogue_editor)
    role = catalogue[1]
    url = reverse("admin:careers_role_change", args=[role.pk])
    page = client.get(url)
    data = form_data(page)
    prefix, _index = requirement_index(page, role.requirements.first())
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = total + 1
    data[f"{prefix}-{total}-skill"] = role.requirements.first().skill_id
    data[f"{prefix}-{total}-weight"] = 2
    data[f"{prefix}-{total}-target"] = 2

    response = client.post(url, data)

    assert response.status_code == 200
    assert role.requirements.count() == 3


def test_published_role_keeps_at_least_one_requirement(client, catalogue_editor, catalogue):
    client.force_login(catalogue_editor)
    role = catalogue[1]
    url = reverse("admin:careers_role_change", args=[role.pk])
    page = client.get(url)
    data = form_data(page)
    prefix, _index = requirement_index(page, role.requirements.first())
    for i in range(int(data[f"{prefix}-TOTAL_FORMS"])):
        data[f"{prefix}-{i}-DELETE"] = "on"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Un rôle publié a besoin d’au moins une exigence" in response.text
    assert role.requirements.count() == 3


def test_codes_cannot_change_once_created(client, catalogue_editor, catalogue):
    client.force_login(catalogue_editor)
    role = catalogue[0]
    url = reverse("admin:careers_role_change", args=[role.pk])
    data = form_data(client.get(url))
    data["code"] = "CHANGED"

    client.post(url, data)

    role.refresh_from_db()
    assert role.code == "AAA"


def test_a_badly_formed_code_is_explained(client, catalogue_editor):
    client.force_login(catalogue_editor)

    response = client.post(
        reverse("admin:careers_skillcategory_add"),
        {"code": "Pas un code!", "name_fr": "X", "name_en": "X", "order": 1},
    )

    assert response.status_code == 200
    assert "lettres minuscules" in response.text


def test_unpublishing_hides_a_role_from_new_assessments_but_not_old_results(
    client, catalogue_editor, individual, catalogue
):
    result = submitted(assessment_start(owner=individual, roles=catalogue))
    client.force_login(catalogue_editor)
    client.post(
        reverse("admin:careers_role_changelist"),
        {"action": "unpublish", "_selected_action": [catalogue[1].pk]},
    )
    assert not Role.objects.get(pk=catalogue[1].pk).is_published
    preview = client.get(reverse("careers:role_detail", args=["BBB"]))
    assert preview.status_code == 200 and "brouillon" in preview.text

    client.force_login(individual)
    assert "BBB" not in client.get(reverse("assessments:new")).text
    assert client.get(reverse("careers:role_detail", args=["BBB"])).status_code == 404
    page = client.get(reverse("assessments:detail", args=[result.pk]))
    assert [r.code for r in page.context["results"]] == ["AAA", "BBB"] or [
        r.code for r in page.context["results"]
    ] == ["BBB", "AAA"]

    client.force_login(catalogue_editor)
    client.post(
        reverse("admin:careers_role_changelist"),
        {"action": "publish", "_selected_action": [catalogue[1].pk]},
    )
    client.force_login(individual)
    assert "BBB" in client.get(reverse("assessments:new")).text


def test_a_role_without_requirements_cannot_be_published(client, catalogue_editor):
    role = Role.objects.create(code="EMPTY", name_fr="Vide", name_en="Empty", is_published=False)
    client.force_login(catalogue_editor)

    client.post(
        reverse("admin:careers_role_changelist"),
        {"action": "publish", "_selected_action": [role.pk]},
    )

    role.refresh_from_db()
    assert not role.is_published


def test_export_from_the_admin_in_both_formats(client, catalogue_editor, catalogue):
    client.force_login(catalogue_editor)

    as_json = client.get(reverse("admin:careers_catalogue_export", args=["json"]))
    as_csv = client.get(reverse("admin:careers_catalogue_export", args=["csv"]))

    assert as_json.status_code == 200 and "attachment" in as_json["Content-Disposition"]
    assert [r["code"] for r in json.loads(as_json.content)["roles"]] == ["AAA", "BBB"]
    assert as_csv.status_code == 200
    assert as_csv.content.decode("utf-8-sig").startswith('"type","code","parent"')


def test_import_from_the_admin_previews_then_confirms(client, catalogue_editor, catalogue):
    client.force_login(catalogue_editor)
    document = json.loads(
        client.get(reverse("admin:careers_catalogue_export", args=["json"])).content
    )
    # Factory data has gaps in its display orders: a first import renumbers them.
    import_catalogue(document=document, dry_run=False)
    first = document["roles"][0]["requirements"][0]
    first["weight"] = 5 if first["weight"] != 5 else 4
    upload = SimpleUploadedFile("catalogue.json", json.dumps(document).encode())
    url = reverse("admin:careers_catalogue_import")

    preview = client.post(url, {"file": upload})

    assert preview.status_code == 200
    assert preview.context["report"].total("updated") == 1
    assert not RoleRequirement.objects.filter(
        role__code="AAA", skill__code=first["skill"], weight=first["weight"]
    ).exists()  # a preview writes nothing

    confirm = client.post(url, confirm_fields(preview))

    assert confirm.status_code == 302
    requirement = RoleRequirement.objects.get(role__code="AAA", skill__code=first["skill"])
    assert requirement.weight == first["weight"]
    assert requirement.history.first().history_user == catalogue_editor


def test_a_bad_file_is_rejected_whole_with_an_error_per_row(client, catalogue_editor, catalogue):
    client.force_login(catalogue_editor)
    csv_text = client.get(reverse("admin:careers_catalogue_export", args=["csv"])).content.decode(
        "utf-8-sig"
    )
    lines = csv_text.splitlines()
    bad = [
        line.replace(",3,", ",9,", 1) if line.startswith('"requirement",') else line
        for line in lines
    ]
    bad.append("requirement,AAA,no-such-skill,,3,2,,,,,,,,")
    upload = SimpleUploadedFile("catalogue.csv", "\n".join(bad).encode())
    before = list(RoleRequirement.objects.values_list("pk", "weight", "target"))

    response = client.post(reverse("admin:careers_catalogue_import"), {"file": upload})

    assert response.status_code == 200
    errors = [str(e) for e in response.context["errors"]]
    assert any("no-such-skill" in e for e in errors)
    assert any("weight 9 est hors limites (1-5)" in e for e in errors)  # French first
    assert all(e.startswith("ligne ") for e in errors)
    assert list(RoleRequirement.objects.values_list("pk", "weight", "target")) == before


def test_import_needs_catalogue_permissions(client, individual, catalogue):
    staff_without_rights = UserFactory(is_staff=True)
    client.force_login(staff_without_rights)
    assert client.get(reverse("admin:careers_catalogue_import")).status_code == 403
    assert client.get(reverse("admin:careers_catalogue_export", args=["json"])).status_code == 403

    client.force_login(individual)
    response = client.get(reverse("admin:careers_catalogue_import"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# Confirming what was previewed ------------------------------------------------------


def confirm_fields(preview) -> dict:
    """The confirm form's fields, as the preview page carries them."""
    hidden = re.findall(r'<input type="hidden" name="(token|digest)" value="([^"]*)"', preview.text)
    assert {name for name, _value in hidden} == {"token", "digest"}
    return {"confirm": "1", **dict(hidden)}


@pytest.fixture
def weight_file(client, catalogue_editor, catalogue):
    """A maker of catalogue files that differ in the weight of AAA's first requirement."""
    client.force_login(catalogue_editor)
    document = json.loads(
        client.get(reverse("admin:careers_catalogue_export", args=["json"])).content
    )
    import_catalogue(document=document, dry_run=False)  # renumbers the factory's orders
    requirement = document["roles"][0]["requirements"][0]

    def make(weight: int, name: str = "catalogue.json") -> SimpleUploadedFile:
        requirement["weight"] = weight
        return SimpleUploadedFile(name, json.dumps(document).encode())

    make.skill = requirement["skill"]
    return make


def first_weight(weight_file) -> int:
    return RoleRequirement.objects.get(role__code="AAA", skill__code=weight_file.skill).weight


URL = "admin:careers_catalogue_import"


def test_each_tab_confirms_the_file_it_previewed(client, weight_file):
    tab_a = client.post(reverse(URL), {"file": weight_file(2, "a.json")})
    tab_b = client.post(reverse(URL), {"file": weight_file(5, "b.json")})

    confirm_a = client.post(reverse(URL), confirm_fields(tab_a))

    assert confirm_a.status_code == 302
    assert first_weight(weight_file) == 2  # the file previewed in tab A, not the last one
    assert client.post(reverse(URL), confirm_fields(tab_b)).status_code == 302
    assert first_weight(weight_file) == 5
    assert not PendingImport.objects.exists()


def test_a_preview_keeps_its_file_outside_the_session(client, weight_file):
    upload = weight_file(2)
    client.post(reverse(URL), {"file": upload})

    session = json.dumps(dict(client.session.items()))
    assert len(session) < 1000
    upload.seek(0)
    assert bytes(PendingImport.objects.get().content) == upload.read()


def test_a_preview_confirmed_twice_imports_once(client, weight_file):
    preview = client.post(reverse(URL), {"file": weight_file(2)})
    assert client.post(reverse(URL), confirm_fields(preview)).status_code == 302
    RoleRequirement.objects.filter(role__code="AAA", skill__code=weight_file.skill).update(weight=4)

    again = client.post(reverse(URL), confirm_fields(preview))

    assert again.status_code == 200
    assert "Rien à importer" in " ".join(str(e) for e in again.context["errors"])
    assert first_weight(weight_file) == 4


def test_a_confirm_of_someone_elses_preview_is_refused(client, weight_file):
    preview = client.post(reverse(URL), {"file": weight_file(2)})
    other_editor = UserFactory(is_staff=True)
    other_editor.groups.add(Group.objects.get(name="Catalogue editors"))
    client.force_login(other_editor)

    client.cookies["django_language"] = "en"
    response = client.post(reverse(URL), confirm_fields(preview))

    assert response.status_code == 200
    assert "Nothing to import" in response.text
    assert first_weight(weight_file) != 2
    assert PendingImport.objects.count() == 1  # still theirs to confirm


def test_a_confirm_naming_another_file_is_refused(client, weight_file):
    preview = client.post(reverse(URL), {"file": weight_file(2)})
    fields = confirm_fields(preview)

    response = client.post(reverse(URL), {**fields, "digest": "0" * 64})

    assert response.status_code == 200 and response.context["errors"]
    assert first_weight(weight_file) != 2
    assert client.post(reverse(URL), {"confirm": "1"}).context["errors"]  # no token at all


def test_an_expired_preview_is_refused_then_purged(client, weight_file):
    preview = client.post(reverse(URL), {"file": weight_file(2)})
    PendingImport.objects.update(
        created_at=PendingImport.objects.get().created_at - timedelta(minutes=61)
    )

    response = client.post(reverse(URL), confirm_fields(preview))

    assert response.status_code == 200
    assert "expir" in response.text
    assert first_weight(weight_file) != 2
    client.post(reverse(URL), {"file": weight_file(3)})
    assert PendingImport.objects.count() == 1  # the expired one was purged by this preview


def test_a_person_keeps_their_latest_previews_only(client, weight_file):
    previews = [
        client.post(reverse(URL), {"file": weight_file(2 + n % 4)})  # each a change
        for n in range(PENDING_IMPORTS_PER_PERSON + 1)
    ]

    assert PendingImport.objects.count() == PENDING_IMPORTS_PER_PERSON
    assert client.post(reverse(URL), confirm_fields(previews[0])).context["errors"]
    assert client.post(reverse(URL), confirm_fields(previews[-1])).status_code == 302


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Le fichier dépasse 5,0\xa0Mio, le maximum qu’un import lit."),
        ("en", "The file is larger than 5.0\xa0MB, the most an import reads."),
    ],
)
def test_a_file_over_the_limit_is_refused_naming_the_limit(client, weight_file, language, message):
    upload = SimpleUploadedFile("big.csv", b"x" * (MAX_IMPORT_BYTES + 1))
    client.cookies["django_language"] = language

    response = client.post(reverse(URL), {"file": upload})

    assert response.status_code == 200
    assert [str(e) for e in response.context["errors"]] == [message]
    assert not PendingImport.objects.exists()


def test_who_may_not_import(client, weight_file, catalogue_editor, individual):
    preview = client.post(reverse(URL), {"file": weight_file(2)})
    fields = confirm_fields(preview)
    staff_without_rights = UserFactory(is_staff=True)
    url = reverse(URL)

    client.force_login(staff_without_rights)
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": weight_file(3)}).status_code == 403
    assert client.post(url, fields).status_code == 403
    for person in (individual, None):  # not staff; a visitor
        client.logout()
        if person:
            client.force_login(person)
        for response in (client.get(url), client.post(url, fields)):
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))
    assert first_weight(weight_file) != 2
    assert list(PendingImport.objects.values_list("uploader", flat=True)) == [catalogue_editor.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_confirms_of_one_preview_at_once_import_it_once(catalogue):
    # A superuser, not the editors' group: a migration makes the group, and the flushes
    # of the transactional tests before this one take it away.
    editor = UserFactory(username="edith", is_staff=True, is_superuser=True)
    document = catalogue_document()
    pending = pending_import_keep(uploader=editor, name="c.json", raw=json.dumps(document).encode())
    start, outcomes = threading.Barrier(2), []

    def confirm() -> None:
        start.wait()
        try:
            pending_import_confirm(uploader=editor, token=pending.token, digest=pending.digest)
            outcomes.append("imported")
        except ImportRejected:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["imported", "refused"]
    assert not PendingImport.objects.exists()
