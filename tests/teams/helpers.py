"""The review form as a browser posts it, read from the page's HTML."""

import re
from html.parser import HTMLParser

RATING_FIELD = re.compile(r"^(initial-)?r\d+-(level|comment|read)$")


class _RatingControls(HTMLParser):
    """Each rating control's name and value: inputs, selected options, textareas."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name") or ""
        if tag == "input" and RATING_FIELD.match(name):
            self.data[name] = attrs.get("value") or ""
        elif tag == "select" and RATING_FIELD.match(name):
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and RATING_FIELD.match(name):
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            # As a browser does: the newline just after <textarea> is not content.
            text = self.data[self._textarea] + data
            self.data[self._textarea] = text[1:] if text.startswith("\n") else text


def review_form(html: str) -> dict[str, str]:
    """What a manager's browser posts when they save the review page untouched."""
    parser = _RatingControls()
    parser.feed(html)
    return parser.data


def field(assessment, code: str, name: str) -> str:
    """The POST name of a skill's rating field (`level`, `comment` or `read`)."""
    return f"r{assessment.snapshot['skills'][code]['id']}-{name}"


def two_managers_review(catalogue, member: str, due_date):
    """A member's submitted cycle assessment in a team managed by olivia and sam, and
    oscar, who manages another team: (team, cycle, assessment, olivia, sam, membership,
    oscar)."""
    from teams.models import TeamMembership
    from teams.services import cycle_assessment_start, cycle_open, team_create
    from tests.assessments.helpers import submitted
    from tests.factories import UserFactory

    olivia, sam = UserFactory(username="olivia"), UserFactory(username="sam")
    team = team_create(manager=olivia, name="Plateforme")
    TeamMembership.objects.create(team=team, user=sam, kind=TeamMembership.Kind.MANAGER)
    membership = TeamMembership.objects.create(
        team=team, user=UserFactory(username=member), target_role=catalogue[0]
    )
    cycle = cycle_open(team=team, name="Revue 2025", due_date=due_date)
    assessment = submitted(cycle_assessment_start(cycle=cycle, membership=membership))
    oscar = UserFactory(username="oscar")
    team_create(manager=oscar, name="Autre")
    return team, cycle, assessment, olivia, sam, membership, oscar
