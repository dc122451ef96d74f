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
