"""Every peer input URL for each kind of person, before and after the relationship
changes; what the pages show (counts before 3 answers, the average after, never one
answer); their query counts, constant with the number of peers and skills."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import account_delete
from peers.models import PeerInvitation, PeerRating, PeerRequest
from peers.services import peer_request_withdraw
from teams.models import TeamMembership
from teams.services import cycle_close, membership_remove, membership_set_kind, review_share
from tests.factories import UserFactory
from tests.peers.conftest import answer_all

pytestmark = pytest.mark.django_db


def page(world):
    return reverse("peers:assessment", args=[world.assessment.pk])


def review(world):
    return reverse("teams:review", args=[world.team.pk, world.assessment.pk])


def shared(world):
    return reverse("teams:shared_review", args=[world.assessment.pk])


def form(world, emails=("p1@example.org", "p2@example.org", "p3@example.org"), skills=2):
    data = {f"email{n}": email for n, email in enumerate(emails, start=1)}
    return {**data, "skills": [str(pk) for pk in world.skill_ids(skills)]}


def people(world):
    return {
        "member": world.member,
        "manager": world.manager,
        "colleague": world.colleague,  # a member of the same team
        "other manager": world.other_manager,
        "outsider": world.outsider,
    }


ALLOWED = {"member", "manager"}


@pytest.mark.parametrize("who", ["member", "manager", "colleague", "other manager", "outsider"])
def test_the_page_is_the_members_and_their_managers(client, world, mails, who):
    mails.ask(world)
    client.force_login(people(world)[who])
    response = client.get(page(world))
    assert response.status_code == (200 if who in ALLOWED else 404)


def test_anonymous_is_sent_to_log_in(client, world, mails):
    mails.ask(world)
    for response in (client.get(page(world)), client.post(page(world), form(world))):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post(reverse("peers:withdraw", args=[world.assessment.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert PeerRequest.objects.get().withdrawn_at is None


@pytest.mark.parametrize("who", ["member", "manager", "colleague", "other manager", "outsider"])
def test_asking_is_the_members_and_their_managers(client, world, commits, mailoutbox, who):
    client.force_login(people(world)[who])
    with commits():
        response = client.post(page(world), form(world))
    if who in ALLOWED:
        assert response.status_code == 302
        request = PeerRequest.objects.get()
        assert request.requested_by == people(world)[who]
        assert sorted(m.to[0] for m in mailoutbox) == [f"p{n}@example.org" for n in (1, 2, 3)]
    else:
        assert response.status_code == 404
        assert not PeerRequest.objects.exists() and mailoutbox == []


@pytest.mark.parametrize("who", ["member", "manager", "colleague", "other manager", "outsider"])
def test_withdrawing_is_the_members_and_their_managers(client, world, mails, who):
    _request, tokens = mails.ask(world)
    client.force_login(people(world)[who])
    response = client.post(reverse("peers:withdraw", args=[world.assessment.pk]))
    withdrawn = PeerRequest.objects.get().withdrawn_at is not None
    assert (response.status_code, withdrawn) == ((302, True) if who in ALLOWED else (404, False))
    if withdrawn:
        client.logout()
        response = client.get(reverse("peers:answer", args=[tokens[0]]))
        assert response.status_code == 410
        assert "retirée" in response.content.decode()


def test_refusals_are_said_on_the_form_and_nothing_is_sent(client, world, mailoutbox):
    client.force_login(world.member)
    cases = [
        form(world, emails=("p1@example.org",)),  # one colleague
        form(world, emails=("p1@example.org", world.member.email)),  # herself
        form(world, emails=("p1@example.org", "P1@example.org")),  # the same twice
        form(world, skills=0),
        {**form(world), "email3": "not an address"},
    ]
    for data in cases:
        response = client.post(page(world), data)
        assert response.status_code == 400
        assert 'class="alert alert-danger"' in response.content.decode() or (
            "invalid-feedback" in response.content.decode()
        )
    assert not PeerRequest.objects.exists() and mailoutbox == []


def test_after_the_member_leaves_the_team_only_she_sees_it(client, world, mails):
    mails.ask(world)
    membership_remove(membership=world.membership)
    client.force_login(world.manager)
    assert client.get(page(world)).status_code == 404
    assert client.post(reverse("peers:withdraw", args=[world.assessment.pk])).status_code == 404
    client.force_login(world.member)
    assert client.get(page(world)).status_code == 200


def test_a_demoted_manager_no_longer_sees_it(client, world, mails):
    mails.ask(world)
    sam = UserFactory(username="sam")
    TeamMembership.objects.create(team=world.team, user=sam, kind=TeamMembership.Kind.MANAGER)
    client.force_login(world.manager)
    assert client.get(page(world)).status_code == 200
    olivia = TeamMembership.objects.get(team=world.team, user=world.manager)
    membership_set_kind(membership=olivia, kind=TeamMembership.Kind.MEMBER)
    assert client.get(page(world)).status_code == 404
    assert client.post(page(world), form(world)).status_code == 404
    client.force_login(sam)
    assert client.get(page(world)).status_code == 200


def test_after_the_members_account_is_deleted_links_say_so(client, world, mails):
    _request, tokens = mails.ask(world)
    assessment_pk = world.assessment.pk
    account_delete(user=world.member)
    assert not PeerRequest.objects.exists() and not PeerRating.objects.exists()
    client.force_login(world.manager)
    assert client.get(reverse("peers:assessment", args=[assessment_pk])).status_code == 404
    client.logout()
    response = client.get(reverse("peers:answer", args=[tokens[0]]))
    assert response.status_code == 404
    assert "n’est pas valide" in response.content.decode()


def test_a_deleted_requesting_manager_leaves_the_request(client, world, mails):
    sam = UserFactory(username="sam")
    TeamMembership.objects.create(team=world.team, user=sam, kind=TeamMembership.Kind.MANAGER)
    mails.ask(world, by=world.manager)
    account_delete(user=world.manager)
    assert PeerRequest.objects.get().requested_by is None
    client.force_login(world.member)
    assert client.get(page(world)).status_code == 200


def test_the_peer_page_needs_no_account_and_shows_nothing_of_the_results(client, world, mails):
    world.member.first_name = ""
    world.member.save()
    _request, tokens = mails.ask(world, skills=1)
    url = reverse("peers:answer", args=[tokens[0]])
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    snapshot = world.assessment.read_snapshot()
    skill = next(s for s in snapshot["skills"].values() if s["id"] == world.skill_ids(1)[0])
    assert "<bdi>nina</bdi> demande votre avis" in text
    assert skill["name"]["fr"] in text and skill["levels"]["3"]["fr"] in text
    others = [s["name"]["fr"] for s in snapshot["skills"].values() if s["id"] != skill["id"]]
    assert not any(name in text for name in others)  # only the chosen skill
    for outside in ("Plateforme", "Revue 2026", "olivia"):  # nor team, cycle, manager
        assert outside not in text


def test_a_peer_answers_once_then_the_link_says_so(client, world, mails):
    request, tokens = mails.ask(world)
    url = reverse("peers:answer", args=[tokens[0]])
    levels = {f"s{pk}": "3" for pk in world.skill_ids(2)}
    incomplete = client.post(url, {f"s{world.skill_ids(1)[0]}": "3"})
    assert incomplete.status_code == 400 and not PeerRating.objects.exists()
    assert "Choisissez un niveau pour chaque compétence." in incomplete.content.decode()
    assert client.post(url, {**levels, f"s{world.skill_ids(1)[0]}": "7"}).status_code == 400
    response = client.post(url, levels)
    assert response.status_code == 200 and "bien été reçues" in response.content.decode()
    again = client.post(url, {f"s{pk}": "0" for pk in world.skill_ids(2)})
    assert again.status_code == 200 and "déjà servi" in again.content.decode()
    assert client.get(url).status_code == 200
    assert sorted(PeerRating.objects.values_list("level", flat=True)) == [3, 3]


def test_unknown_expired_and_closed_links_say_so(client, world, mails):
    _request, tokens = mails.ask(world)
    assert client.get(reverse("peers:answer", args=["nope"])).status_code == 404
    assert client.get("/peers/" + "x" * 2000 + "/").status_code == 404
    PeerInvitation.objects.filter(pk=PeerInvitation.objects.first().pk).update(
        expires_at="2000-01-01T00:00:00Z"
    )
    expired = [
        t for t in tokens if client.get(reverse("peers:answer", args=[t])).status_code == 410
    ]
    assert len(expired) == 1
    cycle_close(cycle=world.cycle)
    response = client.post(reverse("peers:answer", args=[tokens[-1]]), {})
    assert response.status_code == 410 and "close" in response.content.decode()


def test_the_average_appears_after_the_third_answer_the_same_for_both(client, world, mails):
    request, tokens = mails.ask(world, peers=4, skills=1)
    review_share(assessment=world.assessment, manager=world.manager)
    answer_all(request, tokens[:2], [1, 2])
    pages = {
        world.manager: [page(world), review(world)],
        world.member: [page(world), shared(world)],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            text = client.get(url).content.decode()
            assert "2 sur 4 ont répondu" in text, url
            assert 'class="peer-average"' not in text, url
    answer_all(request, tokens[2:3], [2])  # 1, 2, 2 -> 1.7
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            text = client.get(url).content.decode()
            assert "3 sur 4 ont répondu" in text, url
            assert '<span class="peer-average">1,7</span>' in text or ">1,7<" in text, url
            assert "angle mort (pairs)" in text, url  # nina said 4: 2.3 above the peers


def test_english(client, world, mails):
    request, tokens = mails.ask(world, skills=1)
    answer_all(request, tokens, [1, 2, 2])
    client.cookies["django_language"] = "en"
    client.force_login(world.member)
    text = client.get(page(world)).content.decode()
    assert "3 of 3 answered" in text and ">1.7<" in text and "blind spot (peers)" in text
    client.logout()  # which forgets the cookies
    client.cookies["django_language"] = "en"
    assert "already used" in client.get(reverse("peers:answer", args=[tokens[0]])).content.decode()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_peers_or_skills(
    client, world, mails, django_assert_max_num_queries
):
    small, small_tokens = mails.ask(world, peers=4, skills=1)
    answer_all(small, small_tokens, [1, 2, 3])  # shown, as the big one's
    client.force_login(world.member)
    with django_assert_max_num_queries(7, info="the page: session, user, result, 3 for peers"):
        client.get(page(world))
    counts = [_count(client, page(world))]
    client.force_login(world.manager)
    review_counts = [_count(client, review(world))]
    client.logout()
    answer_counts = [_count(client, reverse("peers:answer", args=[small_tokens[3]]))]
    peer_request_withdraw(request=small)

    big, tokens = mails.ask(world, peers=5, skills=6)
    answer_all(big, tokens[:4], [1, 2, 3, 4])
    client.force_login(world.member)
    counts.append(_count(client, page(world)))
    client.force_login(world.manager)
    with django_assert_max_num_queries(11, info="the review page's 7, and 3 for the peers"):
        client.get(review(world))
    review_counts.append(_count(client, review(world)))
    client.logout()
    with django_assert_max_num_queries(5, info="the invitation with its request, the skills"):
        client.get(reverse("peers:answer", args=[tokens[4]]))
    answer_counts.append(_count(client, reverse("peers:answer", args=[tokens[4]])))
    assert counts[0] == counts[1] and review_counts[0] == review_counts[1]
    assert answer_counts[0] == answer_counts[1]
