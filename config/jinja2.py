"""The Jinja2 environment, for the templates too large for Django's engine to render fast.

A result page prints about 700 values: Django's engine took 10 ms and more to render it,
Jinja2 (which compiles a template to Python) a fraction of that. Its templates end in
`.jinja`, beside the Django ones in templates/, and print what Django's would:

- a value is localised and escaped as Django does it (`printed`: a decimal comma in
  French, `&#x27;` for a quote), and `|e` is Django's escape, for the values put in a
  `{% trans %}` block (which Jinja2 escapes its own way otherwise);
- `_("...")` and `{% trans %}` are Django's gettext, on the same catalogue (locale/):
  the template's text and its translation are not escaped (Django takes them as the
  template's own markup), the values put in a `{% trans %}` are, as in Django's tags.
  `manage.py makemessages` extracts them too (careers/management/commands/makemessages.py);
- the filters `bdi`, `isolate` (careers/bidi.py), `floatformat`, `date` and `urlencode`
  are Django's own, and `url(name, *args)`, `static(path)` and `csrf_input()` stand for
  the tags `{% url %}`, `{% static %}` and `{% csrf_token %}`.

A Django template renders a Jinja2 one in its place with `{% load jinja %}{% jinja
"name.jinja" key=value %}` (this module's `register`), with its own context.
"""

from html import escape as html_escape
from typing import Any

from django import template
from django.conf import settings
from django.template import engines
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat, urlencode
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import gettext, ngettext
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from careers.bidi import bdi_html, isolated


def printed(value: Any) -> Any:
    """A value as a Django template prints it: localised, then escaped (safe text kept).

    Called for each of the hundreds of values a page prints: a text and an integer, the
    most frequent, take a short way to what Django's `localize` and `escape` make of them.
    """
    kind = type(value)
    if kind is str:
        return Markup(html_escape(value))  # django.utils.html.escape
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return value  # number_format writes it as its digits
    if hasattr(value, "__html__"):
        return value  # safe already (a translation, |bdi, |floatformat)
    return conditional_escape(localize(value))


def safe_gettext(message: str) -> SafeString:
    """A template's text translated, not escaped: Django takes a template's own text, and
    so its translation, as safe (`{% translate "..." %}` prints it as it is)."""
    return SafeString(gettext(message))  # the template's text and the catalogue's


def safe_ngettext(singular: str, plural: str, number: int) -> SafeString:
    return SafeString(ngettext(singular, plural, number))  # as safe_gettext


def date(value: Any, arg: str | None = None) -> str:
    """`|date`, which Django's templates give the value in the current time zone."""
    return date_filter(template_localtime(value), arg)


def url(name: str, *args: Any) -> str:
    """`{% url name arg ... %}`."""
    return reverse(name, args=args)


def environment(**options: Any) -> Environment:
    """The environment of the Jinja2 backend (config/settings.py, TEMPLATES)."""
    env = Environment(
        extensions=["jinja2.ext.i18n"],
        finalize=printed,
        keep_trailing_newline=True,  # as Django: an included file's last newline is kept
        **options,
    )
    # The i18n extension's method, which the stubs do not know.
    env.install_gettext_callables(safe_gettext, safe_ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.filters.update(
        bdi=bdi_html,
        isolate=isolated,
        floatformat=floatformat,
        date=date,
        urlencode=urlencode,
        e=conditional_escape,
        escape=conditional_escape,
    )
    env.globals.update(url=url, static=static, csrf_input=csrf_input)
    return env


@pass_context
def csrf_input(context: Context) -> SafeString:
    """`{% csrf_token %}`: the form's hidden field for the context's `csrf_token` (read only
    where a form asks for it, so that no other page makes a token)."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return SafeString("")
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, name: str, **values: Any) -> SafeString:
    """The Jinja2 template `name` rendered with this template's context and `values`."""
    jinja_template = engines["jinja2"].env.get_template(name)  # type: ignore[attr-defined]
    return mark_safe(jinja_template.render({**context.flatten(), **values}))  # noqa: S308 - autoescaped
