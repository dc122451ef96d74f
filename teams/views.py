"""Team reviews: teams and invitations, review cycles, manager ratings, the dashboard."""

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.forms import RoleChoiceForm
from careers.bidi import with_names
from careers.models import Level, Role, SkillCategory
from careers.signals import keep_under_catalogue, kept_under_catalogue
from config import compressed, kept_page
from organisation.access import is_unit_lead
from peers.selectors import peer_summary, with_peers

from . import services
from .access import (
    cycle_for_manager,
    cycle_for_member,
    invitation_for_manager,
    invitation_standing,
    member_assessment_for_manager,
    membership_for_manager,
    shared_review_get,
    team_for_manager,
    team_for_member,
)
from .dashboard import (
    HeatFilter,
    heat_view,
)
from .exports import CYCLE_CACHE_SECONDS, board_context, export_headers, export_key
from .forms import (
    CycleForm,
    InvitationForm,
    RatingForm,
    TargetRoleForm,
    TeamForm,
    TeamRenameForm,
    level_text,
)
from .models import CycleExport, Invitation, ManagerRating, ReviewCycle, TeamMembership
from .selectors import (
    by_username,
    natural_key,
    review_rows,
)


def _flash_errors(request, form) -> None:
    """A form posted from the team page: its errors go back to that page as messages."""
    for errors in form.errors.values():
        messages.error(request, " ".join(str(error) for error in errors))


def _link_for(request):
    return lambda invitation: request.build_absolute_uri(invitation.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request):
    form = TeamForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        team = services.team_create(manager=request.user, name=form.cleaned_data["name"])
        messages.success(request, _("Team created. Invite its members."))
        return redirect(team)
    memberships = sorted(
        TeamMembership.objects.filter(user=request.user).select_related("team"),
        key=lambda m: natural_key(m.team.name),
    )
    # A unit lead reaches the organisation's pages from here (organisation/, issue 19).
    leads = is_unit_lead(request.user)
    context = {"memberships": memberships, "form": form, "leads_units": leads}
    return render(request, "teams/list.html", context)


@login_required
def team_detail(request, pk: int):
    team, membership = team_for_member(request.user, pk)
    cycles = list(team.cycles.all())
    if not membership.is_manager:
        return render(
            request,
            "teams/member.html",
            {"team": team, "membership": membership, "cycles": cycles},
        )
    memberships = by_username(team.memberships.select_related("user", "target_role"))
    invitations = [
        i for i in team.invitations.select_related("invited_by") if i.status == "pending"
    ]
    return render(
        request,
        "teams/manage.html",
        {
            "team": team,
            "memberships": memberships,
            "invitations": invitations,
            "cycles": cycles,
            "invite_form": InvitationForm(),
            "cycle_form": CycleForm(),
            "target_form": TargetRoleForm(),
            "rename_form": TeamRenameForm(initial={"name": team.name}),
            "new_invitation": request.session.pop("new_invitation_link", None),
        },
    )


def _show_link(request, invitation: Invitation, sent_message: str) -> None:
    """The link, shown once to the manager to copy, and whether the e-mail left."""
    request.session["new_invitation_link"] = {
        "email": invitation.email,
        "link": request.build_absolute_uri(invitation.get_absolute_url()),
    }
    # Sent inline (no broker), the task has recorded how it went; a worker may not have
    # tried yet ("queued"): the team page shows the state when it changes.
    invitation.refresh_from_db(fields=["sent_at", "send_failed_at", "send_error"])
    if invitation.send_state != "failed":
        messages.success(request, sent_message)
    else:
        messages.warning(
            request,
            with_names(
                _(
                    "The invitation to %(email)s is saved but the e-mail could not be sent. "
                    "Copy the link below, or retry sending it from the pending invitations."
                ),
                email=invitation.email,
            ),
        )


@login_required
@require_POST
def invite(request, pk: int):
    team = team_for_manager(request.user, pk)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address."))
        return redirect(team)
    invitation = services.invitation_create(
        team=team,
        email=form.cleaned_data["email"],
        kind=form.cleaned_data["kind"],
        invited_by=request.user,
        link_for=_link_for(request),
    )
    _show_link(
        request, invitation, with_names(_("Invitation sent to %(email)s."), email=invitation.email)
    )
    return redirect(team)


@login_required
@require_POST
def invitation_resend(request, pk: int, invitation_pk: int):
    invitation = invitation_for_manager(request.user, pk, invitation_pk)
    fresh = services.invitation_resend(
        invitation=invitation, invited_by=request.user, link_for=_link_for(request)
    )
    _show_link(request, fresh, _("A new link was sent; the previous one no longer works."))
    return redirect(invitation.team)


@login_required
@require_POST
def invitation_retry(request, pk: int, invitation_pk: int):
    """Send the same link again, after its e-mail failed: nothing else changes."""
    invitation = invitation_for_manager(request.user, pk, invitation_pk)
    try:
        sent = services.invitation_retry(invitation=invitation, link_for=_link_for(request))
    except services.InvitationUnusable:
        messages.error(request, _("This invitation can no longer be used."))
    else:
        _show_link(request, sent, with_names(_("Invitation sent to %(email)s."), email=sent.email))
    return redirect(invitation.team)


@login_required
@require_POST
def team_rename(request, pk: int):
    team = team_for_manager(request.user, pk)
    form = TeamRenameForm(request.POST)
    if form.is_valid():
        services.team_rename(team=team, name=form.cleaned_data["name"])
        messages.success(request, _("Team renamed."))
    else:
        _flash_errors(request, form)
    return redirect(team)


@login_required
@require_POST
def invitation_revoke(request, pk: int, invitation_pk: int):
    invitation = invitation_for_manager(request.user, pk, invitation_pk)
    services.invitation_revoke(invitation=invitation)
    messages.success(request, _("Invitation revoked."))
    return redirect(invitation.team)


@login_required
@require_POST
def member_remove(request, pk: int, membership_pk: int):
    membership = membership_for_manager(request.user, pk, membership_pk)
    try:
        services.membership_remove(membership=membership)
    except services.LastManager:
        messages.error(request, _("A team needs at least one manager."))
    else:
        messages.success(
            request, with_names(_("%(name)s left the team."), name=membership.user.get_username())
        )
    return redirect(membership.team)


@login_required
@require_POST
def member_kind(request, pk: int, membership_pk: int):
    membership = membership_for_manager(request.user, pk, membership_pk)
    kind = request.POST.get("kind")
    if kind not in TeamMembership.Kind.values:
        raise Http404
    try:
        services.membership_set_kind(membership=membership, kind=kind)
    except services.LastManager:
        messages.error(request, _("A team needs at least one manager."))
    return redirect(membership.team)


@login_required
@require_POST
def member_target(request, pk: int, membership_pk: int):
    membership = membership_for_manager(request.user, pk, membership_pk)
    form = TargetRoleForm(request.POST)
    if form.is_valid():
        services.membership_set_target(membership=membership, role=form.cleaned_data["role"])
        messages.success(request, _("Target role saved."))
    else:
        messages.error(request, _("Choose a published role."))
    return redirect(membership.team)


@login_required
@require_POST
def cycle_new(request, pk: int):
    team = team_for_manager(request.user, pk)
    form = CycleForm(request.POST)
    if not form.is_valid():
        _flash_errors(request, form)
        return redirect(team)
    cycle = services.cycle_open(team=team, **form.cleaned_data)
    messages.success(request, _("Review cycle opened: members now see it in My assessments."))
    return redirect(cycle)


def _kept(kind: str, cycle: ReviewCycle, make: Callable[[], tuple[datetime | None, Any]]):
    """What `make` returns for the cycle, kept under the team's revision.

    The revision (teams/revision.py) stands for the team's data, the catalogue version
    for the columns (skills, their order and names); the key holds the language and the
    release prefixes every key (settings.CACHES). `make` also says until when its result
    holds on its own (a pending invitation shown until it expires), or None.
    """
    return _kept_until(kind, cycle, make)[1]


def _kept_until(kind: str, cycle: ReviewCycle, make: Callable[[], tuple[datetime | None, Any]]):
    """_kept's (until when it holds, what it is)."""
    key = f"{kind}:{cycle.pk}:{cycle.team.revision}:{get_language()}"
    version, kept = kept_under_catalogue(key)
    if kept is not None and (kept[0] is None or timezone.now() < kept[0]):
        return kept
    kept = make()
    keep_under_catalogue(key, version, kept, CYCLE_CACHE_SECONDS)
    return kept


def _first_expiry(rows: list) -> datetime | None:
    """When the first pending invitation shown expires (the board then shows it expired)."""
    now = timezone.now()
    return min(
        (r.invitation.expires_at for r in rows if r.invitation and r.invitation.expires_at > now),
        default=None,
    )


@login_required
def cycle_dashboard(request, pk: int, cycle_pk: int):
    """The board (members, heatmap, team figures) costs ~40 ms for 200 members and is
    the same for every manager of the team: it is kept rendered under the team's
    revision. So is the whole page (cycle state, close button, the team's plans), under
    the same key and the day (what is overdue), with holes for the token and the name
    (config/kept_page.py), when the request has nothing of its own: no message, no query
    string. Otherwise the page around the kept board is rendered per request."""
    cycle = cycle_for_manager(request.user, pk, cycle_pk)  # the revision, before the data
    wanted = heat_filter(request.GET)

    def make_board():
        context = board_context(cycle)
        rows = context["members"]
        context["heat"] = heat_view(context["board"], context.pop("categories"), wanted)
        html = render_to_string("teams/_board.html", context)
        return _first_expiry(rows), compressed.piece(html.encode())

    # Each filter has its board: the filter is part of the key.
    board = partial(_kept_until, f"team-board:{wanted.key()}", cycle, make_board)
    if not request.META.get("QUERY_STRING") and kept_page.keepable(request):

        def make_page():
            valid_until, piece = board()  # the page holds as long as its board
            html = mark_safe(piece.inflate().decode())  # noqa: S308 - rendered, escaped
            context = {"team": cycle.team, "cycle": cycle, "board_html": html}
            return valid_until, kept_page.render_with_holes(
                request, "teams/dashboard.html", context
            )

        day = timezone.localdate().isoformat()
        return kept_page.response(request, _kept(f"team-page:{day}", cycle, make_page))

    context = {"team": cycle.team, "cycle": cycle, "board_html": BOARD}
    head, tail = render_to_string("teams/dashboard.html", context, request=request).split(BOARD)
    return compressed.response(request, [head.encode(), board()[1], tail.encode()])


def heat_filter(query) -> HeatFilter:
    """The heatmap's filters from the page's GET parameters (?role=CODE&category=ID&gaps=1).

    A value that names nothing in today's catalogue is dropped here, so that the kept
    boards' keys only ever hold real roles and categories (at most 2 queries, none when
    the page is not filtered).
    """
    role = query.get("role", "").strip()
    if not role or len(role) > 50 or not Role.objects.filter(code=role).exists():
        role = None
    raw = query.get("category", "").strip()
    category = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    if category is not None and not SkillCategory.objects.filter(pk=category).exists():
        category = None
    return HeatFilter(role=role, category=category, gaps=query.get("gaps") == "1")


# Where the kept board goes in the page: the page around it is rendered per request, the
# board is sent as it was kept, compressed (config/compressed.py).
BOARD = "\x00team-board\x00"


@login_required
@require_POST
def cycle_close(request, pk: int, cycle_pk: int):
    cycle = cycle_for_manager(request.user, pk, cycle_pk)
    services.cycle_close(cycle=cycle)
    messages.success(request, _("Cycle closed: its answers and ratings are now frozen."))
    return redirect(cycle)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_start(request, pk: int, cycle_pk: int):
    """A member starts (or resumes) their own assessment for the cycle.

    Without a target role from the manager, the member first chooses their roles here
    (GET shows the choice; POST with roles starts).
    """
    cycle, membership = cycle_for_member(request.user, pk, cycle_pk)
    started = cycle.assessments.filter(owner=request.user).exists()
    choosing = not membership.target_role_id and not started
    # The role choice posts the cycle back (a hidden field): the list page's button does not.
    form = RoleChoiceForm(request.POST if "cycle" in request.POST else None)
    if choosing and not form.is_valid():
        if request.method == "POST" and not form.is_bound:
            messages.info(request, _("Your manager has not set a target role: choose your roles."))
            return redirect("teams:cycle_start", pk=pk, cycle_pk=cycle_pk)
        return render(request, "assessments/new.html", {"form": form, "cycle": cycle})
    if request.method != "POST":
        return redirect("assessments:list")
    try:
        assessment = services.cycle_assessment_start(
            cycle=cycle,
            membership=membership,
            roles=form.cleaned_data["roles"] if choosing else None,
        )
    except services.CycleClosed:
        messages.error(request, _("This review cycle is closed."))
        return redirect("assessments:list")
    if choosing:
        return redirect("assessments:step", pk=assessment.pk, number=1)
    return redirect(assessment)


def _rating_forms(rows: list[dict[str, Any]], data=None) -> None:
    for row in rows:
        row["self_text"] = level_text(row["self"])
        row["form"] = RatingForm(
            data,
            prefix=f"r{row['skill_id']}",
            initial=RatingForm.initial_for(row["manager"], row["comment"], row["version"]),
        )


def _conflict(rating: ManagerRating | None) -> dict[str, str]:
    """The rating another manager saved meanwhile, as the conflict message shows it."""
    return {
        "level": _("No rating") if rating is None else level_text(rating.level),
        "comment": rating.comment if rating else "",
    }


def _kept_for_resubmit(rows: list[dict[str, Any]], posted, conflicts) -> None:
    """The review form after a refused write: what is stored now, and for each skill
    that someone changed meanwhile, what this manager typed over the newer rating.

    Those rows carry the newer version and show it as their initial value: saving
    again writes what was typed, knowingly.
    """
    _rating_forms(rows)
    for row in rows:
        if row["skill_id"] not in conflicts:
            continue
        form = row["form"]
        data = {
            form.add_prefix("read"): row["version"],
            f"initial-{form.add_prefix('level')}": str(form.initial["level"]),
            f"initial-{form.add_prefix('comment')}": row["comment"],
        }
        typed = RatingForm(posted, prefix=form.prefix)
        for name in ("level", "comment"):
            key = form.add_prefix(name)
            data[key] = posted[key] if typed.carries(name) else data[f"initial-{key}"]
        row["form"] = RatingForm(data, prefix=form.prefix, initial=form.initial)
        row["conflict"] = _conflict(conflicts[row["skill_id"]])


COMMENT_NEEDS_LEVEL = gettext_lazy("A comment is saved with a level: choose one.")


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk: int, assessment_pk: int):
    """The manager's side by side: self level, evidence, manager level and comment."""
    assessment = member_assessment_for_manager(request.user, pk, assessment_pk)
    if assessment.is_draft:
        messages.info(request, _("This member has not submitted yet."))
        return redirect("teams:cycle", pk, assessment.cycle_id)  # a cycle of team `pk`
    rows = review_rows(assessment, notes=True)
    _rating_forms(rows, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        valid = all(row["form"].is_valid() for row in rows)
        values, read = {}, {}
        for row in rows if valid else ():
            write = row["form"].write((row["manager"], row["comment"]))
            if write is not None and write[0] is None and write[1]:
                # No rating to hold the comment: say so on its row, keep what was typed.
                row["form"].add_error("level", COMMENT_NEEDS_LEVEL)
                valid = False
            elif write is not None:
                values[row["skill_id"]] = write
                read[row["skill_id"]] = row["form"].cleaned_data["read"]
        if valid:
            try:
                saved = services.ratings_save(
                    assessment=assessment, manager=request.user, values=values, read=read
                )
            except services.CycleClosed:
                messages.error(request, _("This review cycle is closed: ratings are frozen."))
                return redirect("teams:review", pk=pk, assessment_pk=assessment.pk)
            except services.NotReviewing:  # a removal or a change of kind meanwhile
                raise Http404("No longer yours to review.") from None
            if not saved.conflicts:
                # What the page's autosave wrote already counts as saved here too.
                if saved.changed or values:
                    messages.success(request, _("Ratings saved."))
                else:
                    messages.info(request, _("No rating was changed."))
                return redirect("teams:review", pk=pk, assessment_pk=assessment.pk)
            rows = review_rows(assessment, notes=True)
            _kept_for_resubmit(rows, request.POST, saved.conflicts)
            status = 409
            messages.error(
                request,
                ngettext(
                    "%(n)d rating was changed by another manager since you opened this "
                    "page: yours was not saved. The newer one is shown beside what you "
                    "typed: check it and save again.",
                    "%(n)d ratings were changed by another manager since you opened this "
                    "page: yours were not saved. The newer ones are shown beside what you "
                    "typed: check them and save again.",
                    len(saved.conflicts),
                )
                % {"n": len(saved.conflicts)},
            )
            if saved.changed:
                messages.success(
                    request,
                    ngettext(
                        "Your other change was saved.",
                        "Your %(n)d other changes were saved.",
                        saved.changed,
                    )
                    % {"n": saved.changed},
                )
        else:
            messages.error(request, _("Some ratings could not be saved: see below."))
    peers = peer_summary(assessment)
    with_peers(rows, peers)
    return render(
        request,
        "teams/review.html",
        {
            "assessment": assessment,
            "team_pk": pk,
            "rows": rows,
            "levels": dict(Level.choices),
            "blind_spots": sum(1 for row in rows if row["blind_spot"]),
            "peers": peers,
            "peer_blind_spots": sum(1 for row in rows if row["peer_blind_spot"]),
        },
        status=status,
    )


@login_required
@require_POST
def review_rating(request, pk: int, assessment_pk: int, skill_id: int):
    """Save one row of the review form as soon as it changes (htmx, on change).

    The same form, service and version check as the whole page's Save: the row is
    written as it stands (level and comment), over the version the page read. "Saved" is
    only said of what the database holds; the answer also gives the row its new version
    for its next save, or, after a refusal, the newer rating's (saving again then
    replaces it, knowingly, as after the whole form's conflict).
    """
    assessment = member_assessment_for_manager(request.user, pk, assessment_pk)
    status = partial(_rating_status, request, skill_id)
    if assessment.is_draft:
        return status(_("This member has not submitted yet."), 409)
    if skill_id not in {skill["id"] for skill in assessment.read_snapshot()["skills"].values()}:
        raise Http404("This skill is not part of the assessment.")
    if assessment.cycle and not assessment.cycle.is_open:
        return status(_("This review cycle is closed: ratings are frozen."), 409)
    form = RatingForm(request.POST, prefix=f"r{skill_id}")
    if not form.is_valid():
        errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
        return status(errors, 400)
    stored: tuple[int | None, str] = (None, "")
    if not (form.carries("level") and form.carries("comment")):  # the page posts both
        rating = ManagerRating.objects.filter(assessment=assessment, skill_id=skill_id).first()
        stored = (rating.level, rating.comment) if rating else stored
    value = form.posted(stored)
    if value[0] is None and value[1]:  # a rating holds the comment: none, nothing to hold it
        return status(COMMENT_NEEDS_LEVEL, 400)
    try:
        saved = services.ratings_save(
            assessment=assessment,
            manager=request.user,
            values={skill_id: value},
            read={skill_id: form.cleaned_data["read"]},
        )
    except services.CycleClosed:
        return status(_("This review cycle is closed: ratings are frozen."), 409)
    except services.NotReviewing:  # a removal or a change of kind meanwhile
        raise Http404("No longer yours to review.") from None
    now = ManagerRating.objects.filter(assessment=assessment, skill_id=skill_id).first()
    version = services.rating_version(now)
    if skill_id in saved.conflicts:
        return status("", 409, version, conflict=_conflict(saved.conflicts[skill_id]))
    return status(_("Saved"), 200, version)


def _rating_status(request, skill_id, message, status, version=None, conflict=None):
    return render(
        request,
        "teams/_rating_status.html",
        {
            "message": message,
            "ok": status == 200,
            "skill_id": skill_id,
            "version": version,
            "conflict": conflict,
        },
        status=status,
    )


@login_required
@require_POST
def review_share(request, pk: int, assessment_pk: int):
    assessment = member_assessment_for_manager(request.user, pk, assessment_pk)
    if assessment.is_draft:
        messages.info(request, _("This member has not submitted yet."))
        return redirect("teams:cycle", pk, assessment.cycle_id)  # a cycle of team `pk`
    shared = request.POST.get("share") != "0"
    try:
        services.review_share(assessment=assessment, manager=request.user, shared=shared)
    except services.NotReviewing:  # a removal or a change of kind meanwhile
        raise Http404("No longer yours to review.") from None
    messages.success(
        request,
        _("Review shared with the member.") if shared else _("Review no longer shared."),
    )
    return redirect("teams:review", pk=pk, assessment_pk=assessment.pk)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """Anyone holding the link reads who invites them; only the account whose confirmed
    address is the invited one may accept (access.invitation_standing). Another account
    is told so, with the address mostly hidden, and the invitation stays pending."""
    invitation = Invitation.objects.select_related("team").filter(token=token).first()
    if invitation is None:
        raise Http404("Unknown invitation.")
    standing = None
    if request.user.is_authenticated:
        standing = invitation_standing(invitation, request.user)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={invitation.get_absolute_url()}")
        try:
            services.invitation_accept(token=token, user=request.user)
        except services.InvitationUnusable:
            messages.error(request, _("This invitation can no longer be used."))
            return redirect("home")
        except services.InvitationRefused as refused:
            context = {"invitation": invitation, "standing": refused.standing}
            return render(request, "teams/invitation.html", context, status=403)
        messages.success(
            request, with_names(_("Welcome to the team %(team)s."), team=invitation.team.name)
        )
        return redirect(invitation.team)
    return render(
        request, "teams/invitation.html", {"invitation": invitation, "standing": standing}
    )


@login_required
def shared_review(request, pk: int):
    """The manager's ratings beside the member's own, once the manager shared them."""
    assessment = shared_review_get(request.user, pk)
    rows = review_rows(assessment)
    peers = peer_summary(assessment)
    with_peers(rows, peers)
    return render(
        request,
        "teams/shared_review.html",
        {"assessment": assessment, "rows": rows, "levels": dict(Level.choices), "peers": peers},
    )


@login_required
def cycle_pdf(request, pk: int, cycle_pk: int):
    """The cycle's board as a PDF report (teams/exports.py), for the team's managers."""
    cycle = cycle_for_manager(request.user, pk, cycle_pk)
    return _export_response(request, cycle, CycleExport.Format.PDF)


@login_required
def cycle_matrix(request, pk: int, cycle_pk: int, fmt: str):
    """The matrix as a CSV, JSON or XLSX file, for the team's managers."""
    cycle = cycle_for_manager(request.user, pk, cycle_pk)
    if fmt not in CycleExport.Format.values or fmt == CycleExport.Format.PDF:
        raise Http404
    return _export_response(request, cycle, fmt)


def _export_response(request, cycle: ReviewCycle, fmt: str):
    """The file under today's key when it is made; otherwise it is asked for (made at once
    with no broker) and, while a worker makes it, the exports page says so."""
    ready = CycleExport.objects.filter(**export_key(cycle, fmt), status=CycleExport.Status.READY)
    export = ready.first()
    if export is None:
        asked = services.export_request(cycle=cycle, fmt=fmt, user=request.user)
        export = ready.filter(pk=asked.pk).first()
    if export is None:
        return redirect(reverse("teams:cycle_exports", args=[cycle.team_id, cycle.pk]))
    return HttpResponse(bytes(export.content or b""), headers=export_headers(cycle, fmt))


@login_required
def cycle_exports(request, pk: int, cycle_pk: int):
    """The cycle's files under today's key: made (a link), being made, failed, or not asked."""
    cycle = cycle_for_manager(request.user, pk, cycle_pk)
    key = export_key(cycle, "")
    del key["format"]
    found = {e.format: e for e in CycleExport.objects.filter(**key).defer("content")}
    exports = [
        {"format": fmt, "label": label, "export": found.get(fmt), "url": _download_url(cycle, fmt)}
        for fmt, label in CycleExport.Format.choices
    ]
    pending = any(e.status == CycleExport.Status.PENDING for e in found.values())
    context = {"team": cycle.team, "cycle": cycle, "exports": exports, "pending": pending}
    return render(request, "teams/exports.html", context)


@login_required
@require_POST
def cycle_export_request(request, pk: int, cycle_pk: int, fmt: str):
    cycle = cycle_for_manager(request.user, pk, cycle_pk)
    if fmt not in CycleExport.Format.values:
        raise Http404
    services.export_request(cycle=cycle, fmt=fmt, user=request.user)
    return redirect(reverse("teams:cycle_exports", args=[cycle.team_id, cycle.pk]))


def _download_url(cycle: ReviewCycle, fmt: str) -> str:
    if fmt == CycleExport.Format.PDF:
        return reverse("teams:cycle_pdf", args=[cycle.team_id, cycle.pk])
    return reverse("teams:cycle_matrix", args=[cycle.team_id, cycle.pk, fmt])
