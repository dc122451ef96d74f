"""The board's rows, written in Python: a 200-member team has thousands of cells, and a
template loop over them took most of the dashboard's time.

The markup is lean (at most 1 kB per member on a 200-member board, issue 16): a cell is
`<td class=cLT>L` (L the level used, T the target, `*` after L when the manager rated
it), its colour and its "/T" drawn by static/css/app.css from its class, its tooltip
("level L, target T") set by static/js/app.js on hover from the table's
`data-cell-title`; end tags HTML leaves optional are left out. The small screens' cards
are built by static/js/app.js from the table's rows (without JavaScript, small screens
get the table).
"""

from collections.abc import Sequence
from html import escape as html_escape

from django import template
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from ..dashboard import Cell, HeatView, heat_key, shared_cell

register = template.Library()

LEVELS = range(5)  # the levels and targets a cell's class names (careers.models.Level)


def _bdi(text) -> str:
    """careers.bidi.bdi_html, for strings, without format_html's cost per call (the
    standard library's escape: the same five characters as Django's)."""
    return f"<bdi>{html_escape(str(text))}</bdi>" if text else ""


# Every cell a level and a target can make, written once: (level, target, rated) -> HTML.
CELLS = {
    (used, target, rated): f"<td class=c{used}{target}>{used}{'*' if rated else ''}"
    for used in LEVELS
    for target in LEVELS
    for rated in (False, True)
}


# The same, by the identity of the one shared Cell of each (teams.dashboard.shared_cell):
# a 1,000-member board has 30,000 cells, and a lookup by id() costs a tenth of a call
# per cell. The Cell is held here with its HTML, so its id() is never reused.
SHARED = {id(cell): (cell, html) for cell, html in ((shared_cell(*k), h) for k, h in CELLS.items())}


def _cells(cells: Sequence[Cell | None], absent: str, written: dict[int, str]) -> str:
    """One row's cells; a cell that is not a shared one (no such data today) the slow way."""
    try:
        return "".join([written[id(cell)] for cell in cells])
    except KeyError:
        return "".join(_cell(cell, absent) for cell in cells)


def _written(absent: str) -> dict[int, str]:
    written = {key: html for key, (_cell, html) in SHARED.items()}
    written[id(None)] = absent
    return written


def _cell(cell: Cell | None, absent: str) -> str:
    if cell is None:
        return absent
    if written := CELLS.get((cell.used, cell.target, cell.rated)):
        return written
    used, target = int(cell.used), int(cell.target)
    star = "*" if cell.rated else ""
    # Not a level (no such data today): the cell written out in full.
    title = escape(gettext("level %(used)s, target %(target)s")) % {"used": used, "target": target}
    return (
        f'<td class="heat heat-{heat_key(used, target)}" title="{title}">{used}{star}'
        f'<span class="target">/{target}</span></td>'
    )


@register.simple_tag
def heat_cell_title() -> str:
    """A cell's tooltip, its figures left as %(used)s and %(target)s (for static/js/app.js)."""
    return gettext("level %(used)s, target %(target)s")  # escaped by simple_tag


@register.simple_tag
def heat_cells(cells: Sequence[Cell | None]) -> SafeString:
    """One row's cells. Only integers and a translated string (escaped once) go in."""
    absent = format_html("<td class=na><b>{}</b>", gettext("not required"))
    return mark_safe(_cells(cells, absent, _written(absent)))  # noqa: S308 - see above


def _fit_text(fit: float, separator: str) -> str:
    """floatformat(fit, 1), without its Decimal and its settings lookups per row (a third
    of the heatmap's time at 1,000 members): exact for a fit already rounded to one
    decimal, as the scoring contract rounds it (below 1,000, so never grouped)."""
    if 0 <= fit < 1000 and round(fit, 1) == fit:
        return f"{fit:.1f}".replace(".", separator)
    return floatformat(fit, 1)


@register.simple_tag
def heat_body(heat: HeatView) -> SafeString:
    """The heatmap's rows: the member (name, provisional badge, role), fit, cells."""
    absent = format_html("<td class=na><b>{}</b>", gettext("not required"))
    written = _written(absent)
    separator = get_format("DECIMAL_SEPARATOR")
    badge = render_to_string("assessments/_provisional_badge.html")
    parts = []
    for item in heat.rows:
        row = item.row
        provisional = f" {badge}" if row.provisional else ""
        parts.append(
            f"<tr><th scope=row>{_bdi(row.name)}{provisional} <small>{_bdi(row.role_name)}</small>"
            f"<td class=f>{_fit_text(row.fit, separator)} %"
            f"{_cells(item.cells, absent, written)}"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - escaped text and numbers only


STATUS_TEXT = {
    "invited": lambda: pgettext("review status", "invited"),
    "not_started": lambda: pgettext("review status", "not started"),
    "in_progress": lambda: pgettext("review status", "in progress"),
    "submitted": lambda: pgettext("review status", "submitted"),
    "reviewed": lambda: pgettext("review status", "reviewed"),
}


@register.simple_tag
def member_rows(members, team, cycle) -> SafeString:
    """The members table's rows: name, target role, status (and badges), review link."""
    if not members:
        empty = gettext("No member yet: invite people from the team page.")
        return format_html('<tr><td colspan="4" class="text-muted">{}</td></tr>', empty)
    role_label = escape(gettext("Target role"))
    status_label = escape(gettext("Status"))
    statuses = {status: escape(text()) for status, text in STATUS_TEXT.items()}
    badge = render_to_string("assessments/_provisional_badge.html")
    shared = format_html(' <span class="badge text-bg-light border">{}</span>', gettext("shared"))
    see, rate = escape(gettext("See the review")), escape(gettext("Rate"))
    # The review's address, its assessment's id left blank (reverse() costs per row).
    review_url = reverse("teams:review", args=[team.pk, 4242424242]).replace("4242424242", "{}")
    parts = []
    for row in members:
        membership, assessment = row.membership, row.assessment
        role = membership.target_role if membership else None
        role_html = _bdi(role.name) if role else '<span class="text-muted">–</span>'
        badges = ""
        if assessment is not None and assessment.is_quick and not assessment.is_draft:
            badges += f" {badge}"
        if assessment is not None and assessment.review_shared_at:
            badges += shared
        link = ""
        if row.status in ("submitted", "reviewed"):
            url = review_url.format(int(assessment.pk))
            label = see if row.status == "reviewed" or not cycle.is_open else rate
            link = f'<a class="btn btn-sm btn-outline-primary" href="{url}">{label}</a>'
        parts.append(  # end tags of cells left out (HTML's own rule); aligned by app.css
            f"<tr><th scope=row class=fw-normal>{_bdi(row.name)}"
            f'<td data-label="{role_label}">{role_html}'
            f'<td data-label="{status_label}"><span class="badge status-{row.status}">'
            f"{statuses[row.status]}</span>{badges}"
            f"<td>{link}</tr>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - escaped text, URLs and numbers only
