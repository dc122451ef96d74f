"""Every interface string is translated: a page in one language shows none of the other's."""

import gettext
import html
import re

import pytest
from django.conf import settings
from django.urls import reverse

from assessments.services import assessment_start
from tests.assessments.helpers import submitted

pytestmark = pytest.mark.django_db


def catalogue_pairs():
    path = settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
    with open(path, "rb") as mo_file:
        mo = gettext.GNUTranslations(mo_file)
    pairs = []
    for msgid, msgstr in mo._catalog.items():  # type: ignore[attr-defined]
        if isinstance(msgid, tuple):
            msgid = msgid[0]
        if not msgid or msgid == msgstr or "%(" in msgid or len(msgid) < 12:
            continue
        pairs.append((msgid, msgstr))
    return pairs


def test_french_catalogue_is_complete():
    po = (settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text()
    entries = po.split("\n\n")[1:]
    untranslated = [e for e in entries if re.search(r'msgstr(\[0\])? ""\n?$', e.strip() + "\n")]
    assert untranslated == []
    assert "#, fuzzy" not in po


def visible_text(response) -> str:
    text = response.content.decode()
    text = re.sub(r"<script.*?</script>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text))


@pytest.fixture
def pages(client, individual, catalogue):
    draft = assessment_start(owner=individual, roles=catalogue)
    result = submitted(assessment_start(owner=individual, roles=catalogue))
    client.force_login(individual)
    return [
        reverse("home"),
        reverse("careers:role_list"),
        reverse("careers:role_detail", args=["AAA"]),
        reverse("careers:role_matrix"),
        reverse("assessments:list"),
        reverse("assessments:new"),
        reverse("assessments:step", args=[draft.pk, 1]),
        reverse("assessments:review", args=[draft.pk]),
        reverse("assessments:detail", args=[result.pk]),
        reverse("assessments:simulate", args=[result.pk]),
        reverse("assessments:path", args=[result.pk, "BBB"]),
        reverse("password_change"),
        reverse("account"),
        reverse("email_change"),
        reverse("signup_done"),
        reverse("password_reset"),
        reverse("password_reset_done"),
    ]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_string_of_the_other_language_remains(client, pages, language):
    pairs = catalogue_pairs()
    assert len(pairs) > 100
    client.cookies["django_language"] = language
    for url in pages:
        text = visible_text(client.get(url))
        other = [en for en, fr in pairs] if language == "fr" else [fr for en, fr in pairs]
        leftovers = [s for s in other if s in text]
        assert leftovers == [], url
