"""Writes for team reviews: teams, invitations, cycles, ratings, sharing."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.mail import BadHeaderError, send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Assessment
from assessments.services import AssessmentLocked, assessment_start, assessment_touch
from careers.models import Role
from careers.validators import single_line

from .access import Standing, invitation_standing
from .models import (
    BoardRow,
    CycleExport,
    Invitation,
    ManagerRating,
    ReviewCycle,
    Team,
    TeamMembership,
)
from .revision import team_touch, teams_of_cycle_touch
from .scored import closed_figures
from .signals import review_changed

logger = logging.getLogger(__name__)


def after_commit(func) -> None:
    """Run `func` once the current transaction commits (at once outside one). The tests
    replace it (tests/conftest.py) so that a test's own transaction counts as none."""
    transaction.on_commit(func)


class InvitationUnusable(Exception):
    """The link was used, revoked or has expired."""


class InvitationRefused(Exception):
    """The signed-in account may not accept it: `standing` says why (access.Standing)."""

    def __init__(self, standing: Standing) -> None:
        self.standing = standing
        super().__init__(standing)


class CycleClosed(Exception):
    pass


class NotReviewing(Exception):
    """The manager no longer manages the team, or the owner is no longer its member."""


def _check_still_reviewing(manager, assessment: Assessment) -> Team:
    """The review's relationship, read again under the team's row lock.

    Every membership change bumps the team's revision, so takes that lock: a removal or
    a change of kind committed after the page's access check is seen here, and one in
    progress waits for this write to end. (SQLite's write lock does the same.)
    """
    if not assessment.cycle_id:
        raise NotReviewing
    team = Team.objects.select_for_update().get(cycles=assessment.cycle_id)
    kinds = set(
        TeamMembership.objects.filter(
            team=team, user__in=[manager.pk, assessment.owner_id]
        ).values_list("user_id", "kind")
    )
    if (manager.pk, TeamMembership.Kind.MANAGER) not in kinds or (
        assessment.owner_id,
        TeamMembership.Kind.MEMBER,
    ) not in kinds:
        raise NotReviewing
    return team


@transaction.atomic
def team_create(*, manager, name: str) -> Team:
    team = Team.objects.create(name=name)
    TeamMembership.objects.create(team=team, user=manager, kind=TeamMembership.Kind.MANAGER)
    return team


@transaction.atomic
def team_rename(*, team: Team, name: str) -> None:
    team_touch(team_id=team.pk)
    Team.objects.filter(pk=team.pk).update(name=name)
    team.name = name


def _send_invitation(invitation: Invitation, link: str) -> None:
    # One line whatever the name holds: a team named before names refused line breaks
    # would otherwise have every subject refused by the mail library (BadHeaderError).
    team = single_line(invitation.team.name)
    send_mail(
        subject=_("Join the team %(team)s on Cap Compétences") % {"team": team},
        message=_(
            "You are invited to join the team %(team)s for its skills reviews.\n\n"
            "Open this link to accept (it works once and expires on %(date)s):\n%(link)s\n"
        )
        % {
            "team": team,
            "date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d"),
            "link": link,
        },
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_deliver(*, invitation: Invitation, link: str) -> bool:
    """Mail the link and record whether it left; never raises for a mail failure.

    Runs after the invitation is committed (`transaction.on_commit`), so that a failed
    send leaves a pending invitation that the team page shows as not sent, with a button
    that sends the same link again (`invitation_retry`)."""
    try:
        _send_invitation(invitation, link)
    except (OSError, BadHeaderError, UnicodeError) as exc:  # smtplib: OSErrors
        logger.warning("invitation %s: the e-mail could not be sent", invitation.pk, exc_info=True)
        invitation.send_failed_at = timezone.now()
        invitation.send_error = f"{type(exc).__name__}: {exc}"[:200]
        fields = {"send_failed_at": invitation.send_failed_at, "send_error": invitation.send_error}
    else:
        invitation.sent_at = timezone.now()
        invitation.send_error = ""
        fields = {"sent_at": invitation.sent_at, "send_error": ""}
    with transaction.atomic():
        team_touch(team_id=invitation.team_id)
        Invitation.objects.filter(pk=invitation.pk).update(**fields)
    return invitation.send_state == "sent"


def _deliver_after_commit(invitation: Invitation, link: str) -> None:
    # A task (teams/tasks.py): a worker sends it when a broker is set, the page does
    # not wait on the mail server; inline otherwise.
    from .tasks import deliver_invitation

    pk = invitation.pk
    transaction.on_commit(lambda: deliver_invitation.delay(pk, link))


def invitation_create(*, team: Team, email: str, kind: str, invited_by, link_for) -> Invitation:
    """A fresh single-use link; any earlier pending invitation to the same address ends.

    The e-mail leaves once the invitation is committed; `send_state` then tells how it
    went (the caller's own outer transaction delays it to that one's commit)."""
    email = email.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        team_touch(team_id=team.pk)
        team.invitations.filter(email=email, accepted_at=None, revoked_at=None).update(
            revoked_at=now
        )
        invitation = Invitation.objects.create(
            team=team,
            email=email,
            kind=kind,
            invited_by=invited_by,
            expires_at=now + timedelta(days=Invitation.VALID_FOR_DAYS),
        )
        _deliver_after_commit(invitation, link_for(invitation))
    return invitation


def invitation_resend(*, invitation: Invitation, invited_by, link_for) -> Invitation:
    """Resending replaces the link: the old one stops working."""
    return invitation_create(
        team=invitation.team,
        email=invitation.email,
        kind=invitation.kind,
        invited_by=invited_by,
        link_for=link_for,
    )


def invitation_retry(*, invitation: Invitation, link_for) -> Invitation:
    """Send the same link again (after a failed send): the invitation stays as it is."""
    with transaction.atomic():
        current = (
            Invitation.objects.select_for_update()
            .select_related("team")
            .filter(pk=invitation.pk)
            .first()
        )
        if current is None or not current.is_usable:
            raise InvitationUnusable
        _deliver_after_commit(current, link_for(current))
    return current


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    team_touch(team_id=invitation.team_id)
    Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )


def invitation_accept(*, token: str, user) -> TeamMembership:
    """Join the team as the invitation says; only the account whose confirmed address is
    the invited one may (InvitationRefused), and the invitation then stays pending."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("team")
            .filter(token=token)
            .first()
        )
        if invitation is None or not invitation.is_usable:
            raise InvitationUnusable
        # The account as it is now, not as the request read it.
        current = get_user_model().objects.select_related("email_confirmation").get(pk=user.pk)
        standing = invitation_standing(invitation, current)
        if standing != Standing.MAY_ACCEPT:
            raise InvitationRefused(standing)
        team_touch(team_id=invitation.team_id)
        membership = TeamMembership.objects.filter(team=invitation.team, user=user).first()
        if membership is None:
            membership = TeamMembership.objects.create(
                team=invitation.team, user=user, kind=invitation.kind
            )
        elif invitation.kind == TeamMembership.Kind.MANAGER and not membership.is_manager:
            membership.kind = TeamMembership.Kind.MANAGER
            membership.save(update_fields=["kind"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def membership_add(*, team: Team, user, kind: str) -> TeamMembership:
    """Put someone in the team without an invitation (an administrator's provisioning);
    someone in it already takes the kind given, as an accepted invitation would."""
    team_touch(team_id=team.pk)
    membership = TeamMembership.objects.filter(team=team, user=user).first()
    if membership is None:
        return TeamMembership.objects.create(team=team, user=user, kind=kind)
    if kind != membership.kind:
        membership_set_kind(membership=membership, kind=kind)
    return membership


class LastManager(Exception):
    pass


@transaction.atomic
def membership_remove(*, membership: TeamMembership) -> None:
    """Remove someone from the team; their own assessments stay theirs, their rows on the
    team's boards (BoardRow) go."""
    if (
        membership.is_manager
        and not membership.team.memberships.filter(kind=TeamMembership.Kind.MANAGER)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise LastManager
    team_touch(team_id=membership.team_id)
    BoardRow.objects.filter(
        assessment__owner=membership.user_id, assessment__cycle__team=membership.team_id
    ).delete()
    membership.delete()


@transaction.atomic
def membership_set_kind(*, membership: TeamMembership, kind: str) -> None:
    if kind == TeamMembership.Kind.MEMBER and membership.is_manager:
        others = membership.team.memberships.filter(kind=TeamMembership.Kind.MANAGER).exclude(
            pk=membership.pk
        )
        if not others.exists():
            raise LastManager
    team_touch(team_id=membership.team_id)
    membership.kind = kind
    membership.save(update_fields=["kind"])


@transaction.atomic
def membership_set_target(*, membership: TeamMembership, role: Role | None) -> None:
    team_touch(team_id=membership.team_id)
    membership.target_role = role
    membership.save(update_fields=["target_role"])


@transaction.atomic
def cycle_open(*, team: Team, name: str, due_date: date) -> ReviewCycle:
    from notifications.tasks import cycle_opened

    team_touch(team_id=team.pk)
    cycle = ReviewCycle.objects.create(team=team, name=name, due_date=due_date)
    transaction.on_commit(lambda: cycle_opened.delay(cycle.pk))
    return cycle


@transaction.atomic
def cycle_close(*, cycle: ReviewCycle) -> None:
    """Close the cycle and store its figures on it (teams/scored.py: closed_figures).

    The cycle's assessments are locked first, then the team (the order of the writes to
    them, so that none deadlocks with this): a submission or a rating in progress ends
    before the figures are read, and one that follows finds the cycle closed.
    """
    list(Assessment.objects.select_for_update().filter(cycle=cycle.pk).order_by("pk").values("pk"))
    team_touch(team_id=cycle.team_id)
    if ReviewCycle.objects.filter(pk=cycle.pk, closed_at=None).update(closed_at=timezone.now()):
        ReviewCycle.objects.filter(pk=cycle.pk).update(figures=closed_figures(cycle))


@transaction.atomic
def cycles_refigure(*, cycle_ids: list[int]) -> int:
    """After a person's assessments went (an erasure): bump the revision of the teams of
    those cycles, and store the closed ones' figures again (closed_figures), now without
    that person. Returns how many closed cycles were recomputed."""
    cycles = list(ReviewCycle.objects.filter(pk__in=cycle_ids).order_by("pk"))
    for team_id in sorted({cycle.team_id for cycle in cycles}):
        team_touch(team_id=team_id)
    closed = [cycle for cycle in cycles if not cycle.is_open]
    for cycle in closed:
        ReviewCycle.objects.filter(pk=cycle.pk).update(figures=closed_figures(cycle))
    return len(closed)


@transaction.atomic
def invitations_forget(*, email: str) -> None:
    """Delete the invitations addressed to `email` (an erased person's), bumping their
    teams' revisions: a board shows the pending ones."""
    invitations = Invitation.objects.filter(email__iexact=email)
    for team_id in sorted(set(invitations.values_list("team_id", flat=True))):
        team_touch(team_id=team_id)
    invitations.delete()


def cycle_assessment_start(
    *, cycle: ReviewCycle, membership: TeamMembership, roles=None
) -> Assessment:
    """The member's assessment for this cycle, started once (a second call returns it)."""
    if not cycle.is_open:
        raise CycleClosed
    existing = Assessment.objects.filter(cycle=cycle, owner=membership.user).first()
    if existing:
        return existing
    if roles is None:
        roles = [membership.target_role] if membership.target_role else []
    try:
        with transaction.atomic():
            team_touch(team_id=cycle.team_id)
            assessment = assessment_start(owner=membership.user, roles=roles)
            assessment.cycle = cycle
            assessment.save(update_fields=["cycle"])
    except IntegrityError:  # a double click started it twice: keep the first
        return Assessment.objects.get(cycle=cycle, owner=membership.user)
    return assessment


def rating_version(rating: ManagerRating | None) -> str:
    """The version a form carries for a skill: "" while it has no rating."""
    return rating.version if rating else ""


@dataclass(frozen=True)
class RatingsSaved:
    """What `ratings_save` wrote, and the skills it refused because they had changed."""

    changed: int
    # skill id -> the rating stored now (None: removed) that the form had not seen
    conflicts: dict[int, ManagerRating | None] = field(default_factory=dict)


def _already(rating: ManagerRating | None, level: int | None, comment: str) -> bool:
    if rating is None:
        return level is None
    return (rating.level, rating.comment) == (level, comment)


def ratings_save(
    *,
    assessment: Assessment,
    manager,
    values: Mapping[int, tuple[int | None, str]],
    read: Mapping[int, str] | None = None,
) -> RatingsSaved:
    """Save a manager's levels and comments by skill id; a None level removes the rating.

    Skills left out of `values` are not touched. `read` gives, by skill id, the version
    (`rating_version`) the manager's form was read at: a write over a rating that has
    changed since is refused for that skill and reported in `conflicts`, the others
    are saved. Writing what is stored already is no change and no conflict. Without
    `read` (scripts, the demo), the values are written as they are.
    """
    if assessment.is_draft:
        raise AssessmentLocked
    if assessment.cycle and not assessment.cycle.is_open:
        raise CycleClosed
    changed, conflicts = 0, {}
    with transaction.atomic():
        # One writer at a time per assessment, even for its first ratings (no row to
        # lock yet): the assessment's row, then the team's, as its submission does.
        # On SQLite the write lock taken at BEGIN (config/settings.py) does the same.
        # The lock is the bump of the assessment's revision, which the member's scored
        # row on the board is kept under (teams/scored.py): one statement for both (a
        # save that changes nothing bumps it too, and the board is not worked out again
        # for it: the team's revision is not bumped). Its cycle and owner never change.
        if not Assessment.objects.filter(pk=assessment.pk).update(revision=F("revision") + 1):
            raise Assessment.DoesNotExist
        locked = assessment
        _check_still_reviewing(manager, locked)
        # Read under the team's lock: a close committed meanwhile is seen (cycle_close).
        if (
            locked.cycle_id
            and ReviewCycle.objects.filter(pk=locked.cycle_id, closed_at__isnull=False).exists()
        ):
            raise CycleClosed
        existing = {r.skill_id: r for r in locked.ratings.filter(skill_id__in=values)}
        for skill_id, (level, comment) in values.items():
            rating = existing.get(skill_id)
            if _already(rating, level, comment):
                continue
            if read is not None and read.get(skill_id, "") != rating_version(rating):
                conflicts[skill_id] = rating
                continue
            if level is None:
                if rating is not None:  # as _already says: for mypy
                    rating.delete()
            elif rating is None:
                ManagerRating.objects.create(
                    assessment=locked,
                    skill_id=skill_id,
                    level=level,
                    comment=comment,
                    rated_by=manager,
                )
            else:
                rating.level, rating.comment, rating.rated_by = level, comment, manager
                rating.revision += 1  # under the lock: nobody else is writing it
                rating.save(
                    update_fields=["level", "comment", "rated_by", "revision", "updated_at"]
                )
            changed += 1
        if changed and locked.cycle_id:
            teams_of_cycle_touch(cycle_id=locked.cycle_id)
        if changed:
            review_changed.send(sender=Assessment, assessment=locked)
    return RatingsSaved(changed=changed, conflicts=conflicts)


@transaction.atomic
def review_share(*, assessment: Assessment, manager, shared: bool = True) -> None:
    # The assessment's row before the team's, as in ratings_save and the submission:
    # two writers taking them in opposite orders could deadlock on PostgreSQL.
    locked = Assessment.objects.select_for_update().only("cycle", "owner").get(pk=assessment.pk)
    team = _check_still_reviewing(manager, locked)
    Assessment.objects.filter(pk=assessment.pk).update(
        review_shared_at=timezone.now() if shared else None
    )
    assessment_touch(assessment_id=assessment.pk)
    team_touch(team_id=team.pk)
    review_changed.send(sender=Assessment, assessment=locked, sharing=True)
    if shared:
        from notifications.tasks import review_shared

        pk = assessment.pk
        transaction.on_commit(lambda: review_shared.delay(pk))


# ------------------------------------------------------------------- cycle exports


def export_request(*, cycle: ReviewCycle, fmt: str, user) -> CycleExport:
    """The cycle's file in `fmt` under today's key (teams/exports.py), asked for once.

    Idempotent: a second ask under the same key finds the same row, made or being made,
    and queues nothing. A failed one is asked again (its task queued anew). The rows of
    the same file under older keys are deleted: nobody is served them any more.
    With no broker the task runs inline after the commit, so the file is ready at once.
    """
    from .exports import export_key
    from .tasks import build_export

    key = export_key(cycle, fmt)
    with transaction.atomic():
        export, created = CycleExport.objects.defer("content").get_or_create(
            **key, defaults={"requested_by": user}
        )
        queue = created
        if export.status == CycleExport.Status.FAILED:
            queue = bool(
                CycleExport.objects.filter(pk=export.pk, status=CycleExport.Status.FAILED).update(
                    status=CycleExport.Status.PENDING, attempts=0, error="", requested_by=user
                )
            )
            export.status = CycleExport.Status.PENDING
        if created:
            CycleExport.objects.filter(cycle=cycle, format=fmt, language=key["language"]).exclude(
                pk=export.pk
            ).delete()
    if queue:
        pk = export.pk
        after_commit(lambda: build_export.delay(pk))
    return export


def export_build(*, export_id: int) -> str:
    """Make the row's file, in its language; a file made already is not made again."""
    from django.utils import translation

    from .exports import export_bytes

    export = (
        CycleExport.objects.defer("content").select_related("cycle__team").filter(pk=export_id)
    ).first()
    if export is None:
        return "gone"
    if export.status == CycleExport.Status.READY:
        return "already made"
    CycleExport.objects.filter(pk=export_id).update(attempts=F("attempts") + 1)
    with translation.override(export.language):
        content = export_bytes(export.cycle, export.format)
    CycleExport.objects.filter(pk=export_id).exclude(status=CycleExport.Status.READY).update(
        content=content, status=CycleExport.Status.READY, finished_at=timezone.now(), error=""
    )
    return "made"


def export_failed(*, export_id: int, error: str, last: bool) -> None:
    """Record a failed try; the last one marks the row failed (the page offers to ask again)."""
    fields: dict = {"error": error[:300]}
    if last:
        fields |= {"status": CycleExport.Status.FAILED, "finished_at": timezone.now()}
    CycleExport.objects.filter(pk=export_id).exclude(status=CycleExport.Status.READY).update(
        **fields
    )


def exports_prune(*, older_than: timedelta) -> int:
    """Delete the files nobody is served any more: made under a team revision or a
    release that has moved on, or older than `older_than` whatever their key."""
    from django.conf import settings

    now = timezone.now()
    stale = CycleExport.objects.filter(created_at__lt=now - timedelta(minutes=10)).filter(
        Q(revision__lt=F("cycle__team__revision")) | ~Q(release=settings.RELEASE)
    )
    deleted = stale.delete()[0]
    deleted += CycleExport.objects.filter(created_at__lt=now - older_than).delete()[0]
    return deleted
