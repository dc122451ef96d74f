"""The rules of peer input: who may be named, how many, single use, the threshold of 3
and the averages (hand-computed, halves rounded up to one decimal as the fit is)."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from notifications.models import Preference
from peers.models import PeerInvitation, PeerRating, PeerRequest, token_digest
from peers.selectors import LinkState, peer_summary, with_peers
from peers.services import (
    LinkUnusable,
    PeerRequestRefused,
    peer_answer,
    peer_request_create,
    peer_request_withdraw,
)
from teams.services import cycle_close
from tests.assessments.helpers import submitted
from tests.factories import AssessmentFactory, UserFactory
from tests.peers.conftest import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The refusals are read in English here (their French is in locale/fr)."""
    with translation.override("en"):
        yield


def create(world, emails, skills=2, by=None):
    return peer_request_create(
        assessment=world.assessment,
        requested_by=by or world.member,
        skill_ids=world.skill_ids(skills),
        emails=emails,
        language="fr",
    )


@pytest.fixture
def sent(commits):
    """create() with its e-mails sent."""

    def _create(world, emails, **kwargs):
        with commits():
            return create(world, emails, **kwargs)

    return _create


@pytest.mark.parametrize("count", [2, 5])
def test_two_to_five_colleagues_are_asked(world, mailoutbox, sent, count):
    request = sent(world, [f"p{n}@example.org" for n in range(count)])
    assert request.invitations.count() == count
    assert sorted(m.to[0] for m in mailoutbox) == sorted(f"p{n}@example.org" for n in range(count))


@pytest.mark.parametrize("count", [0, 1, 6])
def test_fewer_than_two_or_more_than_five_are_refused(world, mails, count):
    with pytest.raises(PeerRequestRefused, match="between 2 and 5"):
        create(world, [f"p{n}@example.org" for n in range(count)])
    assert not PeerRequest.objects.exists() and mails.outbox == []


def test_the_member_cannot_be_named(world):
    with pytest.raises(PeerRequestRefused, match="own peers"):
        create(world, ["p1@example.org", world.member.email.upper()])


def test_the_requesting_manager_cannot_name_themselves(world):
    with pytest.raises(PeerRequestRefused, match="manager"):
        create(world, ["p1@example.org", world.manager.email], by=world.manager)


def test_the_same_address_once(world):
    with pytest.raises(PeerRequestRefused, match="once"):
        create(world, ["p1@example.org", " P1@Example.org ", "p2@example.org"])
    assert not PeerInvitation.objects.exists()


@pytest.mark.parametrize("skills", [0, 9])
def test_one_to_eight_skills(world, catalogue, skills):
    assert len(world.skill_ids()) == 6  # the catalogue's: 9 cannot be chosen from it
    chosen = (world.skill_ids() + [9999, 9998, 9997])[:skills]
    with pytest.raises(PeerRequestRefused):
        peer_request_create(
            assessment=world.assessment,
            requested_by=world.member,
            skill_ids=chosen,
            emails=["p1@example.org", "p2@example.org"],
            language="fr",
        )


def test_only_skills_of_the_assessment(world):
    from tests.factories import SkillFactory

    other = SkillFactory()
    with pytest.raises(PeerRequestRefused, match="skills of this assessment"):
        peer_request_create(
            assessment=world.assessment,
            requested_by=world.member,
            skill_ids=[other.pk],
            emails=["p1@example.org", "p2@example.org"],
            language="fr",
        )


def test_a_draft_a_private_result_and_a_closed_cycle_are_refused(world, catalogue):
    draft = AssessmentFactory(owner=world.member, roles=catalogue[:1])
    private = submitted(AssessmentFactory(owner=world.member, roles=catalogue[:1]))
    for assessment in (draft, private):
        with pytest.raises(PeerRequestRefused, match="submitted assessment of a review cycle"):
            peer_request_create(
                assessment=assessment,
                requested_by=world.member,
                skill_ids=[],
                emails=[],
                language="fr",
            )
    cycle_close(cycle=world.cycle)
    world.assessment = type(world.assessment).objects.get(pk=world.assessment.pk)
    with pytest.raises(PeerRequestRefused, match="closed"):
        create(world, ["p1@example.org", "p2@example.org"])


def test_one_open_request_per_assessment_another_after_withdrawal(world, mails):
    first, tokens = mails.ask(world, peers=2)
    with pytest.raises(PeerRequestRefused, match="already asked"):
        create(world, ["p7@example.org", "p8@example.org"])
    peer_request_withdraw(request=first)
    second = create(world, ["p7@example.org", "p8@example.org"])
    assert peer_summary(world.assessment).request == second
    with pytest.raises(LinkUnusable) as refused:
        answer_all(first, tokens[:1], [2])
    assert refused.value.state is LinkState.WITHDRAWN


def test_the_token_is_kept_hashed_only(world, mails):
    _request, tokens = mails.ask(world, peers=2)
    stored = list(PeerInvitation.objects.values_list("token_digest", flat=True))
    assert sorted(stored) == sorted(token_digest(t) for t in tokens)
    assert not set(tokens) & set(stored)


def test_a_link_answers_once(world, mails):
    request, tokens = mails.ask(world, peers=2)
    answer_all(request, tokens[:1], [3])
    with pytest.raises(LinkUnusable) as refused:
        answer_all(request, tokens[:1], [1])
    assert refused.value.state is LinkState.ANSWERED
    assert sorted(PeerRating.objects.values_list("level", flat=True)) == [3, 3]


def test_an_answer_gives_every_chosen_skill_a_level(world, mails):
    request, tokens = mails.ask(world, peers=2, skills=2)
    first = world.skill_ids(1)[0]
    wrong = [
        {first: 2},  # a chosen skill left out
        {first: 2, world.skill_ids()[3]: 2},  # a skill that was not chosen
        dict.fromkeys(world.skill_ids(2), 5),  # off the scale
    ]
    for levels in wrong:
        with pytest.raises(ValueError):
            peer_answer(token=tokens[0], levels=levels)
    assert not PeerRating.objects.exists()
    assert not PeerInvitation.objects.exclude(answered_at=None).exists()


def test_an_expired_link_and_a_closed_cycle(world, mails):
    request, tokens = mails.ask(world, peers=2)
    PeerInvitation.objects.filter(token_digest=token_digest(tokens[0])).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(LinkUnusable) as refused:
        answer_all(request, tokens[:1], [2])
    assert refused.value.state is LinkState.EXPIRED
    cycle_close(cycle=world.cycle)
    with pytest.raises(LinkUnusable) as refused:
        answer_all(request, tokens[1:], [2])
    assert refused.value.state is LinkState.CLOSED


def test_no_average_before_the_third_answer(world, mails):
    request, tokens = mails.ask(world, peers=5)
    answer_all(request, tokens[:2], [2, 3])
    summary = peer_summary(world.assessment)
    assert (summary.answered, summary.invited, summary.shown) == (2, 5, False)
    assert summary.averages == {}
    answer_all(request, tokens[2:3], [4])
    summary = peer_summary(world.assessment)
    assert summary.shown
    assert summary.averages == dict.fromkeys(world.skill_ids(2), 3.0)  # (2+3+4)/3


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([2, 3, 4], 3.0),
        ([1, 2, 2], 1.7),  # 1.666…
        ([1, 1, 2], 1.3),  # 1.333…
        ([1, 1, 1, 2], 1.3),  # 1.25: half up, as the fit is (Python's round gives 1.2)
        ([0, 0, 1, 1, 1], 0.6),
    ],
)
def test_averages_to_one_decimal_half_up(world, mails, levels, expected):
    request, tokens = mails.ask(world, peers=len(levels))
    answer_all(request, tokens, levels)
    assert peer_summary(world.assessment).averages == dict.fromkeys(world.skill_ids(2), expected)


def test_blind_spots_against_the_peers_use_the_managers_rule(world, mails):
    """Nina rated herself 4 everywhere: peers at 2.0 are 2 apart (a blind spot), at 2.3
    1.7 apart (not one)."""
    request, tokens = mails.ask(world, peers=3, skills=1)
    answer_all(request, tokens, [2, 2, 2])
    rows = [{"skill_id": world.skill_ids(1)[0], "self": 4}, {"skill_id": 0, "self": 4}]
    with_peers(rows, peer_summary(world.assessment))
    assert [(r["peers"], r["peer_blind_spot"]) for r in rows] == [(2.0, True), (None, False)]

    peer_request_withdraw(request=request)
    request, tokens = mails.ask(
        world, skills=1, emails=["a@example.org", "b@example.org", "c@example.org"]
    )
    answer_all(request, tokens, [2, 2, 3])
    rows = [{"skill_id": world.skill_ids(1)[0], "self": 4}]
    with_peers(rows, peer_summary(world.assessment))
    assert (rows[0]["peers"], rows[0]["peer_blind_spot"]) == (2.3, False)


def test_mail_in_the_recipients_language_else_the_requesters(world, mails):
    english = UserFactory(username="emma", email="Emma@Example.org")
    Preference.objects.create(user=english, language="en")
    mails.ask(world, emails=["emma@example.org", "someone@example.org"], peers=2)
    by_address = {m.to[0]: m for m in mails.outbox}
    en, fr = by_address["emma@example.org"], by_address["someone@example.org"]
    assert en.subject == "Nina asks for your view"
    assert "rate them on 2 skills" in en.body
    assert fr.subject == "Nina demande votre avis"
    assert "2 compétences" in fr.body
    for message in (en, fr):
        html = message.alternatives[0][0]
        assert "/peers/" in html and "<a href=" in html
        # Nothing of the results in the mail: no level, no skill name.
        assert "Compétence" not in message.body and "Skill" not in message.body
