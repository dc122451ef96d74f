"""The loop closed: the next result shows, per plan item, what became of it and of its
skill's level."""

import pytest
from django.urls import reverse

from assessments.services import assessment_start
from plans import services
from plans.models import PlanItem
from plans.selectors import plan_loop
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
