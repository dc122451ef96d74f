"""What a refused import says: JSON paths and fields, lines and columns, in both languages."""

import json

import pytest
from django.utils import translation

from careers.interchange import ImportRejected, import_catalogue, parse_csv, parse_json
from careers.models import SkillCategory

pytestmark = pytest.mark.django_db


def errors(action, *args, language: str = "en", **kwargs) -> list[str]:
    with translation.override(language):
        with pytest.raises(ImportRejected) as rejected:
            action(*args, **kwargs)
        return [str(error) for error in rejected.value.errors]


def one_skill() -> dict:
    return {
        "categories": [
            {
                "code": "delivery",
                "name": {"fr": "Livraison", "en": "Delivery"},
                "skills": [
                    {
                        "code": "planning",
                        "name": {"fr": "Planification", "en": "Planning"},
                        "levels": {"1": {"fr": "Lit", "en": "Reads"}},
                        "actions": [{"level": 2, "kind": "training", "title": {"fr": "Se former"}}],
                    }
                ],
            }
        ],
        "roles": [
            {
                "code": "NEW",
                "name": {"fr": "Neuf", "en": "New"},
                "requirements": [{"skill": "", "weight": 5, "target": 3}],
                "summary": {"fr": "Résumé"},
            }
        ],
    }


def test_json_errors_name_the_json_fields_never_the_csv_columns():
    document = one_skill()
    del document["categories"][0]["name"]["fr"]
    document["categories"][0]["skills"][0]["levels"]["1"]["en"] = ""

    found = errors(import_catalogue, document=document, dry_run=True)

    assert found == [
        "categories[0]: name in French (name.fr) is missing",
        "categories[0].skills[0].levels.1: descriptor in English (descriptor.en) is missing",
        "categories[0].skills[0].actions[0]: title in English (title.en) is missing",
        "roles[0].requirements[0]: skill is empty: give the code of the required skill",
    ]
    assert not any("row" in e or "_fr" in e or "_en" in e or "parent" in e for e in found)


def test_json_errors_in_french():
    document = one_skill()
    document["roles"][0]["requirements"][0]["skill"] = "nope"

    found = errors(import_catalogue, document=document, dry_run=True, language="fr")

    assert found == [
        "categories[0].skills[0].actions[0] : titre en anglais (title.en) manquant",
        "roles[0].requirements[0] : la compétence 'nope' (skill) n’est ni dans le fichier ni "
        "dans le catalogue",
    ]


def test_invalid_json_gives_line_and_column():
    assert errors(parse_json, b'{\n  "roles": [\n    {"code": }\n  ]\n}') == [
        "line 3, column 14: not valid JSON: Expecting value"
    ]
    assert errors(parse_json, b'{\n  "roles": [', language="fr") == [
        "ligne 2, colonne 13 : le fichier semble tronqué : il s’arrête avant la fin du JSON "
        "(Expecting value)"
    ]


def test_a_json_file_that_is_not_utf8_names_its_line_and_byte_not_a_row():
    assert errors(parse_json, '{\n"roles": "é"}'.encode("latin-1")) == [
        "line 2, byte 12: the file is not UTF-8 (byte 0xe9 cannot be read): save it as UTF-8"
    ]


def test_an_unreadable_csv_names_its_line():
    raw = b'type,code,name_fr,name_en\ncategory,a,A,A\ncategory,b,"' + b"x" * 200_000 + b'",B\n'

    (error,) = errors(parse_csv, raw)

    assert error.startswith("line 3: the CSV cannot be read: field larger than field limit")


def test_a_csv_needs_only_the_columns_of_its_types_of_rows():
    categories = b"type,code,name_fr,name_en\ncategory,delivery,Livraison,Delivery\n"

    import_catalogue(document=parse_csv(categories), dry_run=False)

    assert SkillCategory.objects.get(code="delivery").name_en == "Delivery"
    with_a_skill = categories + b"skill,planning,Planification,Planning\n"
    assert errors(parse_csv, with_a_skill, language="fr") == [
        "ligne 1 : la colonne parent manque : les lignes de type skill en ont besoin"
    ]
    assert errors(parse_csv, b"code,name_fr\n") == [
        "row 1: the column type is missing: it is always needed"
    ]


def test_csv_errors_in_french_say_ligne():
    raw = (
        b"type,code,parent,name_fr,name_en,weight,target\n"
        b"category,delivery,,Livraison,Delivery,,\n"
        b"skill,planning,delivery,,Planning,,\n"
    )

    assert errors(parse_csv, raw, language="fr") == ["ligne 3 : nom en français (name_fr) manquant"]


def test_an_empty_json_document_is_refused_in_both_languages():
    document = json.loads("{}")

    assert errors(import_catalogue, document=document, dry_run=True, language="fr") == [
        "Le fichier ne contient aucune catégorie ni aucun rôle : il n’y a rien à importer."
    ]
    assert errors(import_catalogue, document=document, dry_run=True) == [
        "The file holds no category and no role: there is nothing to import."
    ]
