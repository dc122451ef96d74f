"""The heatmap's cells, written in Python: a 200-member team has thousands of them, and
a template loop with a translated title per cell took most of the dashboard's time."""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from ..dashboard import Cell, heat_key

register = template.Library()


@register.simple_tag
def heat_cells(cells: list[Cell | None]) -> SafeString:
    # Only integers and two translated strings (escaped once) go into the cells.
    title = escape(gettext("level %(used)s, target %(target)s"))
    absent = format_html(
        '<td class="heat heat-na"><span class="visually-hidden">{}</span></td>',
        gettext("not required"),
    )
    parts: list[str] = []
    for cell in cells:
        if cell is None:
            parts.append(absent)
            continue
        used, target = int(cell.used), int(cell.target)
        parts.append(
            f'<td class="heat heat-{heat_key(used, target)}" title="'
            f'{title % {"used": used, "target": target}}">{used}{"*" if cell.rated else ""}'
            f'<span class="target">/{target}</span></td>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - integers and escaped text only


@register.simple_tag
def heat_gaps(below: list[tuple[str, Cell]]) -> SafeString:
    """A member's skills below target, as the small screens' list shows them."""
    if not below:
        none = gettext("No skill below target.")
        return format_html('<p class="small text-muted mb-0">{}</p>', none)
    figures = gettext("level %(used)s, target %(target)s")
    items = [
        format_html(
            '<li class="heat-gap"><span class="swatch heat-{}"></span> <bdi>{}</bdi>: {}</li>',
            heat_key(cell.used, cell.target),
            name,
            figures % {"used": int(cell.used), "target": int(cell.target)},
        )
        for name, cell in below
    ]
    joined = mark_safe("".join(items))  # noqa: S308 - each item built by format_html
    return format_html('<ul class="list-unstyled small mb-0">{}</ul>', joined)
