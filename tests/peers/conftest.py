"""A team for peer input: olivia manages it, nina's cycle assessment is submitted, bob is
another member; oscar manages another team, mallory belongs to none."""

import re
from dataclasses import dataclass

import pytest
from django.utils import timezone

from assessments.models import Assessment
from peers.models import PeerRequest
from peers.services import peer_answer, peer_request_create
from teams.models import ReviewCycle, Team, TeamMembership
from teams.services import cycle_assessment_start, cycle_open, team_create
from tests.assessments.helpers import submitted
from tests.factories import UserFactory

LINK = re.compile(r"https?://\S+/peers/([\w-]+)/")


@dataclass
class PeerWorld:
    team: Team
    cycle: ReviewCycle
    manager: object
    member: object  # nina, whose assessment it is
    membership: TeamMembership
    colleague: object  # bob, another member of the team
    other_manager: object
    outsider: object
    assessment: Assessment

    def skill_ids(self, n: int | None = None) -> list[int]:
        snapshot = self.assessment.read_snapshot()
        ids = [s["id"] for s in sorted(snapshot["skills"].values(), key=lambda s: s["order"])]
        return ids if n is None else ids[:n]

    def self_level(self, skill_id: int) -> int:
        snapshot = self.assessment.read_snapshot()
        code = next(c for c, s in snapshot["skills"].items() if s["id"] == skill_id)
        return snapshot["levels"][code]


@pytest.fixture
def world(catalogue) -> PeerWorld:
    manager = UserFactory(username="olivia")
    team = team_create(manager=manager, name="Plateforme")
    member = UserFactory(username="nina", first_name="Nina")
    membership = TeamMembership.objects.create(team=team, user=member, target_role=catalogue[0])
    colleague = UserFactory(username="bob")
    TeamMembership.objects.create(team=team, user=colleague)
    cycle = cycle_open(team=team, name="Revue 2026", due_date=timezone.localdate())
    assessment = submitted(
        cycle_assessment_start(cycle=cycle, membership=membership), level_for=lambda i: 4
    )
    other_manager = UserFactory(username="oscar")
    team_create(manager=other_manager, name="Autre")
    return PeerWorld(
        team=team,
        cycle=cycle,
        manager=manager,
        member=member,
        membership=membership,
        colleague=colleague,
        other_manager=other_manager,
        outsider=UserFactory(username="mallory"),
        assessment=assessment,
    )


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Runs what the code leaves for after its commit (the e-mails), as production does:
    a test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def mails(commits, mailoutbox):
    """mails.ask(world, ...): a request whose e-mails are sent; mails.outbox."""

    class Mails:
        outbox = mailoutbox

        def ask(self, world, **kwargs):
            return ask(world, mailoutbox, commits, **kwargs)

        def tokens(self, n: int) -> list[str]:
            return [LINK.search(m.body).group(1) for m in mailoutbox[-n:]]

    return Mails()


def ask(
    world: PeerWorld, mailoutbox, commits, *, peers: int = 3, skills: int = 2, by=None, emails=None
):
    """A request to `peers` addresses; (request, the tokens their mails carry)."""
    sent = len(mailoutbox)
    with commits():
        request = peer_request_create(
            assessment=world.assessment,
            requested_by=by or world.member,
            skill_ids=world.skill_ids(skills),
            emails=emails or [f"peer{n}@example.org" for n in range(1, peers + 1)],
            language="fr",
        )
    tokens = [LINK.search(message.body).group(1) for message in mailoutbox[sent:]]
    assert len(tokens) == peers
    return request, tokens


def answer_all(request: PeerRequest, tokens: list[str], levels: list[int]) -> None:
    """Each token answers every chosen skill with its level in `levels`."""
    skill_ids = list(request.skills.values_list("pk", flat=True))
    for token, level in zip(tokens, levels, strict=False):
        peer_answer(token=token, levels=dict.fromkeys(skill_ids, level))
