"""Learning resources on next steps and behavioural indicators on level descriptors:
carried by import and export in both formats, checked like the models, edited in the
admin, shown on the questionnaire, the result's path and in the workbook."""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from assessments.services import assessment_start
from careers.interchange import (
    ImportRejected,
    catalogue_document,
    dump_csv,
    dump_json,
    import_catalogue,
    parse_csv,
    parse_json,
)
from careers.models import NextStepAction, SkillLevel
from tests.assessments.helpers import submitted
from tests.careers.framework import framework_document
from tests.careers.test_interchange import flush_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages these tests read are the English ones (French: test_import_messages)."""
    with translation.override("en"):
        yield


LINK = "https://learning.example.org/pmp?lang=fr&from=import"


def text_of(page: str) -> str:
    """The page's text, tags taken out."""
    return re.sub(r"<[^>]+>", "", page)


def test_a_framework_round_trips_with_its_resources_and_indicators_in_both_formats():
    framework = framework_document(skills=160)
    import_catalogue(document=framework, dry_run=False)
    exported = catalogue_document()
    assert exported["categories"] == framework["categories"]
    assert exported["roles"] == framework["roles"]

    for dump, parse in ((dump_json, parse_json), (dump_csv, parse_csv)):
        flush_catalogue()
        import_catalogue(document=parse(dump(exported).encode()), dry_run=False)
        assert catalogue_document() == exported, dump.__name__
        again = import_catalogue(document=parse(dump(exported).encode()), dry_run=False)
        assert again.total("created") == again.total("updated") == 0
        assert again.total("deleted") == 0


def test_each_field_lands_in_its_column():
    import_catalogue(document=framework_document(skills=3, roles=1), dry_run=False)
    paid = NextStepAction.objects.get(skill__code="fw-skill-0", level=3)
    assert paid.url == "https://learning.example.org/0/3?lang=fr&from=import"
    assert paid.provider == "Open Learning Institute"
    assert (paid.duration_fr, paid.duration_en) == ("21 heures", "21 hours")
    assert (paid.cost, paid.price, paid.language) == ("paid", "450 EUR", "fr")
    free = NextStepAction.objects.get(skill__code="fw-skill-1", level=1)
    assert (free.cost, free.price, free.language) == ("free", "", "en")


def test_a_resource_without_link_keeps_every_field_empty():
    # (n + level) % 5 == 0: skill 1 at level 4 has no resource at all.
    import_catalogue(document=framework_document(skills=3, roles=1), dry_run=False)
    bare = NextStepAction.objects.get(skill__code="fw-skill-1", level=4)
    assert (bare.url, bare.provider, bare.duration_fr, bare.cost, bare.price) == ("",) * 5
    assert "url" not in catalogue_document()["categories"][0]["skills"][1]["actions"][3]


def test_indicators_are_stored_one_per_line():
    import_catalogue(document=framework_document(skills=2, roles=1), dry_run=False)
    level = SkillLevel.objects.get(skill__code="fw-skill-0", level=1)
    assert level.indicators_fr.splitlines() == ["Observe 0.1.0", "Observe 0.1.1", "Observe 0.1.2"]
    assert level.indicators_en.splitlines()[0] == "Observed 0.1.0"


def one_skill(action: dict | None = None, indicators: dict | None = None) -> dict:
    skill = {
        "code": "planning",
        "name": {"fr": "Planification", "en": "Planning"},
        "levels": {"1": {"fr": "Lit un planning.", "en": "Reads a plan."}},
        "actions": [
            {
                "level": 1,
                "kind": "training",
                "title": {"fr": "Se former", "en": "Get trained"},
                **(action or {}),
            }
        ],
    }
    if indicators is not None:
        skill["indicators"] = indicators
    return {
        "categories": [{"code": "delivery", "name": {"fr": "Livraison", "en": "Delivery"},
                        "skills": [skill]}],
        "roles": [],
    }  # fmt: skip


def rejected(document: dict) -> list[str]:
    with pytest.raises(ImportRejected) as refused:
        import_catalogue(document=document, dry_run=True)
    return [str(error) for error in refused.value.errors]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"url": "javascript:alert(1)"}, "url 'javascript:alert(1)' must be a web address"),
        ({"url": "ftp://files.example.org/a"}, "must be a web address starting with http(s)://"),
        (
            {"url": "https://example.org/" + "a" * 490},
            "url is too long (510 characters, at most 500)",
        ),
        ({"cost": "maybe"}, "cost 'maybe' must be free, paid or empty"),
        ({"cost": "free", "price": "10 EUR"}, "a price is given for a paid resource only"),
        ({"language": "english"}, "language 'english' must be a code such as fr, en or pt-BR"),
        ({"provider": "PMI\nInstitute"}, "provider holds a line break"),
        ({"price": "9" * 41, "cost": "paid"}, "price is too long (41 characters, at most 40)"),
        ({"duration": {"fr": "x" * 61, "en": "1 h"}}, "duration.fr is too long"),
    ],
)
def test_a_bad_resource_is_refused_at_its_path(action, message):
    (error,) = rejected(one_skill(action))
    assert error.startswith("categories[0].skills[0].actions[0]: ")
    assert message in error
    assert not NextStepAction.objects.exists()


def test_too_many_indicators_or_a_level_without_descriptor_are_refused():
    nine = {"1": {"fr": [f"Exemple {i}" for i in range(9)], "en": ["One"]}}
    assert rejected(one_skill(indicators=nine)) == [
        "categories[0].skills[0].levels.1: indicators in French (indicators.fr): 9 lines, at most 8"
    ]
    orphan = {"3": {"fr": ["Mène un atelier"], "en": ["Runs a workshop"]}}
    assert rejected(one_skill(indicators=orphan)) == [
        "categories[0].skills[0].indicators.3: level 3 has no descriptor in levels"
    ]
    shape = {"1": {"fr": "Mène un atelier", "en": []}}
    assert rejected(one_skill(indicators=shape)) == [
        'categories[0].skills[0].indicators.1: must be an object: {"fr": ["..."], "en": ["..."]}'
    ]


CSV_HEADER = (
    "type,code,parent,level,weight,target,kind,direction,link,published,"
    "name_fr,name_en,text_fr,text_en"
)


def test_a_csv_of_the_first_format_still_imports():
    raw = "\n".join(
        [
            CSV_HEADER,
            "category,delivery,,,,,,,,,Livraison,Delivery,,",
            "skill,planning,delivery,,,,,,,,Planification,Planning,,",
            "level,planning,,1,,,,,,,,,Lit un planning.,Reads a plan.",
            "action,planning,,1,,,training,,,,Se former,Get trained,,",
        ]
    ).encode()
    import_catalogue(document=parse_csv(raw), dry_run=False)
    action = NextStepAction.objects.get()
    assert (action.url, action.cost) == ("", "")


def test_a_csv_price_without_cost_means_paid_and_indicators_are_lines_of_a_cell():
    header = CSV_HEADER + ",url,provider,cost,price,language,indicators_fr,indicators_en"
    raw = "\n".join(
        [
            header,
            "category,delivery,,,,,,,,,Livraison,Delivery,,,,,,,,,",
            "skill,planning,delivery,,,,,,,,Planification,Planning,,,,,,,,,",
            'level,planning,,1,,,,,,,,,Lit un planning.,Reads a plan.,,,,,,"Lit\nCommente",'
            '"Reads\nComments"',
            f"action,planning,,1,,,training,,,,Se former,Get trained,,,{LINK},PMI,,450 EUR,en,,",
        ]
    ).encode()
    import_catalogue(document=parse_csv(raw), dry_run=False)
    action = NextStepAction.objects.get()
    assert (action.url, action.provider, action.cost, action.price) == (
        LINK,
        "PMI",
        "paid",
        "450 EUR",
    )
    assert SkillLevel.objects.get().indicators_en == "Reads\nComments"


# The admin ---------------------------------------------------------------------------


@pytest.fixture
def catalogue_editor(db):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(username="edith", is_staff=True)
    user.groups.add(Group.objects.get(name="Catalogue editors"))
    return user


def action_form(action: NextStepAction, **changes) -> dict:
    data = {
        "skill": action.skill_id,
        "level": action.level,
        "kind": action.kind,
        "order": action.order,
        "title_fr": action.title_fr,
        "title_en": action.title_en,
        "detail_fr": "",
        "detail_en": "",
        "url": "",
        "provider": "",
        "duration_fr": "",
        "duration_en": "",
        "cost": "",
        "price": "",
        "language": "",
    }
    return data | changes


def test_an_editor_sets_a_resource_and_is_refused_a_bad_one(client, catalogue_editor, catalogue):
    action = NextStepAction.objects.order_by("pk").first()
    assert action is not None
    url = reverse("admin:careers_nextstepaction_change", args=[action.pk])
    client.force_login(catalogue_editor)
    page = client.get(url)
    for field in ("url", "provider", "duration_fr", "duration_en", "cost", "price", "language"):
        assert f'name="{field}"' in page.content.decode()

    for bad_link, message in (
        ("javascript:alert(1)", "Saisissez une URL valide."),
        (
            "ftp://files.example.org/a",
            "Saisissez une adresse web commençant par http:// ou https://.",
        ),
    ):
        bad = client.post(url, action_form(action, url=bad_link))
        assert bad.status_code == 200
        assert message in bad.content.decode()
    action.refresh_from_db()
    assert action.url == ""

    good = client.post(
        url,
        action_form(action, url=LINK, provider="PMI", cost="paid", price="450 EUR", language="en"),
    )
    assert good.status_code == 302
    action.refresh_from_db()
    assert (action.url, action.price) == (LINK, "450 EUR")
    assert action.history.count() >= 1


def test_a_price_on_a_free_resource_is_refused_in_the_admin(client, catalogue_editor, catalogue):
    action = NextStepAction.objects.order_by("pk").first()
    assert action is not None
    url = reverse("admin:careers_nextstepaction_change", args=[action.pk])
    client.force_login(catalogue_editor)
    refused = client.post(url, action_form(action, cost="free", price="9 EUR"))
    assert "Un prix ne s’indique que pour une ressource payante." in refused.content.decode()


def test_the_skill_page_edits_indicators_and_resources_inline(client, catalogue_editor, catalogue):
    skill = catalogue[0].skills.order_by("pk").first()
    client.force_login(catalogue_editor)
    page = client.get(reverse("admin:careers_skill_change", args=[skill.pk])).content.decode()
    assert 'name="levels-0-indicators_fr"' in page
    assert 'name="actions-0-url"' in page
    assert "Ressource de formation" in page


def test_people_who_are_not_editors_cannot_reach_the_resource_pages(client, individual, catalogue):
    action = NextStepAction.objects.order_by("pk").first()
    assert action is not None
    url = reverse("admin:careers_nextstepaction_change", args=[action.pk])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    client.force_login(individual)
    assert client.get(url).status_code == 302  # not staff: the admin's log-in page


# Where people see them ----------------------------------------------------------------


@pytest.fixture
def with_resources(catalogue):
    NextStepAction.objects.update(
        url=LINK, provider="PMI", duration_fr="35 heures", duration_en="35 hours",
        cost="paid", price="450 EUR", language="en",
    )  # fmt: skip
    SkillLevel.objects.filter(level=2).update(
        indicators_fr="Tient un planning à jour\nPrévient des retards",
        indicators_en="Keeps a plan up to date\nWarns of delays",
    )
    return catalogue


def test_the_path_shows_each_next_step_as_a_safe_link_with_its_facts(
    client, individual, with_resources
):
    result = submitted(assessment_start(owner=individual, roles=with_resources))
    client.force_login(individual)
    url = reverse("assessments:path", args=[result.pk, "AAA"])
    page = client.get(url).content.decode()
    link = f'href="{LINK.replace("&", "&amp;")}" target="_blank" rel="noopener noreferrer"'
    assert link in page
    assert "· PMI · 35 heures · Payant : 450 EUR · English" in text_of(page)
    assert "(s’ouvre dans un nouvel onglet)" in page
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "· PMI · 35 hours · Paid: 450 EUR · English" in text_of(english)
    assert "(opens in a new tab)" in english


def test_a_link_that_is_not_http_is_never_a_link(client, individual, with_resources):
    result = submitted(assessment_start(owner=individual, roles=with_resources))
    snapshot = result.snapshot
    for skill in snapshot["skills"].values():
        for action in skill["actions"]:
            action["url"] = "javascript:alert(document.cookie)"
    type(result).objects.filter(pk=result.pk).update(snapshot=snapshot)
    client.force_login(individual)
    page = client.get(reverse("assessments:path", args=[result.pk, "AAA"])).content.decode()
    assert "javascript:" not in page


def test_a_result_made_before_resources_existed_shows_its_steps(client, individual, catalogue):
    result = submitted(assessment_start(owner=individual, roles=catalogue))
    client.force_login(individual)
    page = client.get(reverse("assessments:path", args=[result.pk, "AAA"])).content.decode()
    assert "next-step-facts" not in page and 'class="next-step"' in page


def test_the_workbook_has_the_link_and_the_facts(client, individual, with_resources):
    result = submitted(assessment_start(owner=individual, roles=with_resources))
    client.force_login(individual)
    response = client.get(reverse("assessments:result_xlsx", args=[result.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["Prochaines étapes"]
    rows = list(sheet.values)
    assert rows[0][-2:] == ("Lien", "Ressource de formation")
    assert rows[1][-2:] == (LINK, "PMI · 35 heures · Payant : 450 EUR · English")


def test_the_questionnaire_shows_the_indicators_with_their_level(
    client, individual, with_resources
):
    draft = assessment_start(owner=individual, roles=with_resources)
    client.force_login(individual)
    url = reverse("assessments:step", args=[draft.pk, 1])
    page = client.get(url).content.decode()
    indicator = '<span class="level-indicator d-block"><bdi>{}</bdi></span>'
    assert indicator.format("Tient un planning à jour") in page
    assert "Exemples observables de ce niveau :" in page
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert indicator.format("Warns of delays") in english


def test_the_result_page_and_the_report_show_the_resources(client, individual, with_resources):
    result = submitted(assessment_start(owner=individual, roles=with_resources))
    client.force_login(individual)
    page = client.get(reverse("assessments:detail", args=[result.pk])).content.decode()
    link = f'href="{LINK.replace("&", "&amp;")}" target="_blank" rel="noopener noreferrer"'
    assert link in page
    assert "· PMI · 35 heures · Payant : 450 EUR · English" in text_of(page)
    client.cookies["django_language"] = "en"
    english = client.get(reverse("assessments:detail", args=[result.pk])).content.decode()
    assert "· PMI · 35 hours · Paid: 450 EUR · English" in text_of(english)


def test_the_pdf_report_prints_the_resource_and_its_address(client, individual, with_resources):
    from tests.pdf_text import pdf_text

    result = submitted(assessment_start(owner=individual, roles=with_resources))
    client.force_login(individual)
    text = " ".join(
        pdf_text(client.get(reverse("assessments:result_pdf", args=[result.pk]))).split()
    )
    assert "PMI · 35 heures · Payant : 450 EUR · English" in text
    assert LINK in text
