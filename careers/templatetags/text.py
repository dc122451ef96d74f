"""`|bdi`, `|bdi_each` and `|isolate`: person-written and catalogue text shown in its place
(careers/bidi.py). A builtin (config/settings.py, TEMPLATES): every template has them."""

from django import template

from ..bidi import bdi_each, bdi_html, isolated

register = template.Library()
register.filter("bdi", bdi_html, is_safe=True)
register.filter("bdi_each", bdi_each, is_safe=True)
register.filter("isolate", isolated, is_safe=False)
