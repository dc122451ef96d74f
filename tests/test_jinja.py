"""The Jinja2 templates (config/jinja2.py) print what Django's would, and their messages
are in the catalogue."""

import datetime
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import engines
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from careers.management.commands.makemessages import jinja_as_python

VALUES = [
    "plain",
    'l\'équipe "A" <b> & co',
    mark_safe("<bdi>kept</bdi>"),
    gettext_lazy("Target"),
    0,
    7,
    12345,
    81.25,
    Decimal("73.25"),
    True,
    None,
    datetime.date(2026, 3, 1),
]


def django_render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def jinja_render(source: str, **context) -> str:
    return engines["jinja2"].env.from_string(source).render(context)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_is_printed_as_django_prints_it(language, value):
    with translation.override(language):
        assert jinja_render("{{ v }}", v=value) == django_render("{{ v }}", v=value)


def test_a_thousands_separator_is_djangos_when_set(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override("fr"):
        for value in (12345, 1234.5):
            assert jinja_render("{{ v }}", v=value) == django_render("{{ v }}", v=value)
        assert jinja_render("{{ v }}", v=12345) != "12345"


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("value", [81.25, 73.0, Decimal("0.05"), 12345.678, "x"], ids=repr)
def test_floatformat_is_djangos_in_each_language(language, value):
    with translation.override(language):
        for places in (0, 1, 2):
            jinja = jinja_render(f"{{{{ v|floatformat({places}) }}}}", v=value)
            assert jinja == django_render(f"{{{{ v|floatformat:{places} }}}}", v=value)
    with translation.override("fr"):
        assert jinja_render("{{ v|floatformat(1) }}", v=81.25) == "81,3"  # a decimal comma


@pytest.mark.parametrize("language", ["fr", "en"])
def test_translations_and_their_values_are_escaped_as_in_django(language):
    name = 'l\'<i>équipe</i> "A"'
    with translation.override(language):
        assert jinja_render('{{ _("You and the role\'s targets") }}') == django_render(
            '{% load i18n %}{% translate "You and the role\'s targets" %}'
        )
        jinja = jinja_render(
            "{% trans name=name|e %}You already meet the rung <strong>{{ name }}</strong>."
            "{% endtrans %}",
            name=name,
        )
        django = django_render(
            "{% load i18n %}{% blocktranslate with name=name %}You already meet the rung "
            "<strong>{{ name }}</strong>.{% endblocktranslate %}",
            name=name,
        )
    assert jinja == django
    assert "&#x27;" in jinja and "<strong>" in jinja


def test_the_text_filters_and_tags_are_djangos():
    context = {"name": "\u202eevil", "code": "A B&C"}
    jinja = jinja_render(
        "{{ name|bdi }}|{{ name|isolate }}|{{ code|urlencode }}|"
        '{{ url("assessments:path", 3, "TPM") }}',
        **context,
    )
    django = django_render(
        "{{ name|bdi }}|{{ name|isolate }}|{{ code|urlencode }}|"
        "{% url 'assessments:path' 3 'TPM' %}",
        **context,
    )
    assert jinja == django


def test_a_django_template_renders_a_jinja_one_in_its_place():
    page = django_render(
        '{% load jinja %}<p>{% jinja "assessments/_band.jinja" band=band %}</p>', band="close"
    )
    assert page == '<p><span class="badge band band-close">Proche</span>\n</p>'


def test_the_messages_go_to_xgettext_on_their_own_lines():
    source = '<p>\n{{ _("One") }}\n{% trans n=3 %}{{ n }} % more{% endtrans %} {{ _("Two") }}\n</p>'

    lines = jinja_as_python(source).split("\n")

    assert lines == ["", "_('One') ", "gettext('%(n)s %% more') _('Two') ", ""]


def jinja_messages() -> set[str]:
    env = engines["jinja2"].env
    messages = set()
    for path in Path(settings.BASE_DIR, "templates").rglob("*.jinja"):
        for _line, _function, message in env.extract_translations(path.read_text()):
            messages.add(message)
    return messages


def test_every_message_of_the_jinja_templates_is_translated():
    po = polib.pofile(str(Path(settings.BASE_DIR, "locale", "fr", "LC_MESSAGES", "django.po")))
    translated = {entry.msgid for entry in po if entry.translated() and not entry.obsolete}
    messages = jinja_messages()

    assert len(messages) > 40
    assert messages - translated == set()
