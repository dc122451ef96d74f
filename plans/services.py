"""Every change to a development plan: adding an item from a result, editing it,
removing it. Each checks that the item is the person's own.

The team pages show each member's plan counts, kept under the team's revision
(teams/revision.py): every change they show bumps the revisions of the owner's teams
(or the team a plan is shared with), in the change's transaction."""

import hashlib
import json
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

import scoring
from assessments.models import Assessment
from careers.models import Skill
from teams.models import TeamMembership
from teams.revision import team_touch, teams_of_user_touch

from .models import PlanComment, PlanItem, PlanShare


class NotPlannable(ValueError):
    """The skill is not one of the result's, or the level aimed at is not above it."""


class StaleItem(Exception):
    """The item changed since the page that sent the change read it."""

    def __init__(self, item: PlanItem) -> None:
        self.item = item
        super().__init__(f"plan item {item.pk} is at revision {item.revision}")


def step_key(step: scoring.SnapshotAction) -> str:
    """A next step's identity: the digest of everything the result froze of it."""
    canonical = json.dumps(step, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def plan_item_add(
    *,
    owner,
    result: Assessment,
    skill_code: str,
    target_level: int,
    step: scoring.SnapshotAction | None = None,
    title: str = "",
    url: str = "",
    due_date: date | None = None,
) -> tuple[PlanItem, bool]:
    """An item for one of the result's skills, by one of its next steps or the person's
    own action; with whether it was created. A next step already open in the plan is
    returned as it is (a double click, a second tab), never added twice."""
    if result.owner_id != owner.pk or result.is_draft:
        raise NotPlannable("only the owner of a submitted result plans from it")
    snapshot = result.read_snapshot()
    if skill_code not in snapshot["skills"]:
        raise NotPlannable(f"{skill_code} is not a skill of this result")
    level = scoring.saved_levels(snapshot)[skill_code]
    if not level < target_level <= 4:
        raise NotPlannable(f"level {target_level} is not above today's {level}")
    key = step_key(step) if step else ""
    if key and (found := _open_step(owner, skill_code, key)):
        return found, False
    item = PlanItem(
        owner=owner,
        result=result,
        skill_code=skill_code,
        skill=Skill.objects.filter(code=skill_code).first(),
        level_then=level,
        target_level=target_level,
        step=step,
        step_key=key,
        title="" if step else title.strip(),
        url="" if step else url.strip(),
        due_date=due_date,
    )
    try:
        with transaction.atomic():  # a savepoint: the race's loser reads the winner's row
            item.save()
    except IntegrityError:
        found = _open_step(owner, skill_code, key) if key else None
        if found is None:
            raise
        return found, False
    teams_of_user_touch(user_id=owner.pk)
    return item, True


def _open_step(owner, skill_code: str, key: str) -> PlanItem | None:
    return PlanItem.objects.filter(
        owner=owner, skill_code=skill_code, step_key=key, status__in=PlanItem.ACTIVE
    ).first()


@transaction.atomic
def plan_item_update(
    *,
    owner,
    item_id: int,
    revision: int,
    status: str,
    due_date: date | None,
    notes: str,
    evidence: str,
) -> PlanItem:
    """Save the item's follow-up. Refused with StaleItem (nothing written) when the item
    is no longer at `revision`; PlanItem.DoesNotExist for another person's item."""
    item = PlanItem.objects.select_for_update().get(pk=item_id, owner=owner)
    if item.revision != revision:
        raise StaleItem(item)
    now = timezone.now()
    if status == PlanItem.Status.DONE and item.status != PlanItem.Status.DONE:
        item.done_at = now
    elif status != PlanItem.Status.DONE:
        item.done_at = None
    item.status, item.due_date = status, due_date
    item.notes, item.evidence = notes.strip(), evidence.strip()
    item.revision += 1
    item.updated_at = now
    item.save()
    teams_of_user_touch(user_id=owner.pk)
    return item


@transaction.atomic
def plan_item_delete(*, owner, item_id: int) -> None:
    """Remove the person's item (PlanItem.DoesNotExist for another person's)."""
    PlanItem.objects.get(pk=item_id, owner=owner).delete()
    teams_of_user_touch(user_id=owner.pk)


class NotAMember(ValueError):
    """A plan is shared only with the managers of a team its owner is a member of."""


@transaction.atomic
def plan_share(*, owner, team_id: int) -> PlanShare:
    if not TeamMembership.objects.filter(
        team_id=team_id, user=owner, kind=TeamMembership.Kind.MEMBER
    ).exists():
        raise NotAMember(team_id)
    share, created = PlanShare.objects.get_or_create(owner=owner, team_id=team_id)
    if created:
        team_touch(team_id=team_id)
    return share


@transaction.atomic
def plan_unshare(*, owner, team_id: int) -> None:
    if PlanShare.objects.filter(owner=owner, team_id=team_id).delete()[0]:
        team_touch(team_id=team_id)


def plan_comment_add(*, author, item: PlanItem, body: str) -> PlanComment:
    """A comment by someone who may read the item (plans.access.readable_item)."""
    return PlanComment.objects.create(item=item, author=author, body=body.strip())


@transaction.atomic
def plan_item_agree(*, manager, item: PlanItem, agreed: bool) -> PlanItem:
    """Mark the item agreed (or not) by a manager it is shared with; the owner's own
    changes are not blocked by it. Bumps the revision: an open tab saves over it only
    knowingly."""
    item = PlanItem.objects.select_for_update().get(pk=item.pk)
    item.agreed_by, item.agreed_at = (manager, timezone.now()) if agreed else (None, None)
    item.revision += 1
    item.save(update_fields=["agreed_by", "agreed_at", "revision"])
    teams_of_user_touch(user_id=item.owner_id)
    return item
