"""The loop closed: the next result shows, per plan item, what became of it and of its
skill's level."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from assessments.services import assessment_start
from plans import services
from plans.models import PlanItem
from plans.selectors import NEVER, SETTLED_SECONDS, plan_loop
from tests.assessments.helpers import submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(individual, catalogue):
    # levels cycle 0, 1, 2, 3, 4, 0 over AAA's six skills
    return submitted(assessment_start(owner=individual, roles=catalogue))


def plan(owner, result, code, target, title, status="planned"):
    item, _ = services.plan_item_add(
        owner=owner, result=result, skill_code=code, target_level=target, title=title
    )
    PlanItem.objects.filter(pk=item.pk).update(status=status)
    return item


def test_the_next_result_shows_each_item_then_and_now(client, individual, catalogue, first):
    codes = sorted(first.snapshot["skills"], key=lambda c: first.snapshot["skills"][c]["order"])
    # skill 0 at level 0, skill 1 at 1, skill 2 at 2 in the first result
    plan(individual, first, codes[0], 2, "Reach 2 on the first", "done")
    plan(individual, first, codes[1], 3, "Raise the second", "in_progress")
    plan(individual, first, codes[2], 4, "Done in vain", "done")
    # The retake: the first skill to 3, the second to 2, the third unchanged at 2.
    retake_levels = [3, 2, 2, 3, 4, 0]
    second = submitted(
        assessment_start(owner=individual, roles=catalogue), lambda i: retake_levels[i % 6]
    )
    rows = {
        row.shown.title: (row.level_now, row.verdict) for row in plan_loop(individual, second.pk)
    }
    assert rows == {
        "Reach 2 on the first": (3, "reached"),
        "Raise the second": (2, "raised"),
        "Done in vain": (2, "unchanged"),
    }
    client.force_login(individual)
    page = client.get(reverse("assessments:detail", args=[second.pk])).content.decode()
    assert "Votre plan depuis votre résultat précédent" in page
    assert "niveau 2 atteint" in page
    assert "fait, mais le niveau n’a pas changé" in page
    # Followed up meanwhile, the kept page shows the change at once.
    PlanItem.objects.filter(title="Raise the second").update(status="done")
    again = client.get(reverse("assessments:detail", args=[second.pk])).content.decode()
    assert again.count("<td>Fait</td>") == 3
    # The first result's page has no loop: nothing was planned before it.
    first_page = client.get(reverse("assessments:detail", args=[first.pk])).content.decode()
    assert "Votre plan depuis" not in first_page


def test_no_plan_no_section_and_no_other_persons_plan(client, individual, outsider, catalogue):
    result = submitted(assessment_start(owner=individual, roles=catalogue))
    theirs = submitted(assessment_start(owner=outsider, roles=catalogue))
    plan(outsider, theirs, next(iter(theirs.snapshot["skills"])), 4, "Theirs")
    assert plan_loop(individual, result.pk) == []
    assert plan_loop(individual, theirs.pk) == []  # another person's result: nothing
    client.force_login(individual)
    page = client.get(reverse("assessments:detail", args=[result.pk])).content.decode()
    assert "plan-loop" not in page and "Theirs" not in page


def submitted_ago(result, seconds: int):
    Assessment.objects.filter(pk=result.pk).update(
        submitted_at=timezone.now() - timedelta(seconds=seconds)
    )
    return Assessment.objects.get(pk=result.pk)


def test_a_result_with_nothing_planned_before_it_is_settled_and_kept_without_the_loop(
    client, individual, catalogue, django_assert_num_queries
):
    """No item was made before it, and an item made later is dated after it: once no
    transaction can still be in flight, the page is kept with no loop for good."""
    result = submitted(assessment_start(owner=individual, roles=catalogue))
    url = reverse("assessments:detail", args=[result.pk])
    client.force_login(individual)
    client.get(url)
    with django_assert_num_queries(3):  # just submitted: session, user, the plan asked
        client.get(url)
    assert plan_loop(individual, result.pk) == []

    result = submitted_ago(result, SETTLED_SECONDS + 5)
    assert plan_loop(individual, result.pk) is NEVER
    client.get(url)  # asked once more, then kept as settled
    with django_assert_num_queries(2):  # session and user
        page = client.get(url).content.decode()
    assert "Votre plan depuis" not in page

    # An item planned from this result is dated after it: still no loop, rightly.
    plan(individual, result, next(iter(result.snapshot["skills"])), 4, "After the result")
    assert plan_loop(individual, result.pk) is NEVER
    with django_assert_num_queries(2):
        assert "Votre plan depuis" not in client.get(url).content.decode()


def test_a_dropped_item_made_before_keeps_the_loop_asked(client, individual, catalogue, first):
    code = next(iter(first.snapshot["skills"]))
    item = plan(individual, first, code, 4, "Dropped, then taken up again", "dropped")
    PlanItem.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(hours=1))
    second = submitted_ago(submitted(assessment_start(owner=individual, roles=catalogue)), 600)
    assert plan_loop(individual, second.pk) == []  # not NEVER: it may be taken up again
    client.force_login(individual)
    url = reverse("assessments:detail", args=[second.pk])
    assert "Votre plan depuis" not in client.get(url).content.decode()
    client.get(url)
    PlanItem.objects.filter(pk=item.pk).update(status="in_progress")
    assert "Dropped, then taken up again" in client.get(url).content.decode()
