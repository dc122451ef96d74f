"""The REST API, version 1 (README, "REST API"). Every lookup is the pages' own
(assessments/access.py, teams/access.py): what is not yours is not found (404)."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.access import assessments_of, result_get
from assessments.models import Assessment
from assessments.results import result_export
from careers import interchange
from teams import services as team_services
from teams.access import team_for_manager, team_for_member, teams_of
from teams.exports import matrix_document
from teams.models import Team, TeamMembership
from teams.selectors import by_username

from . import provisioning, serializers
from .permissions import IsEditor, IsProvisioner, TokenScope, is_editor

NOT_FOUND = OpenApiResponse(description="Not found, or not yours to read.")


class Base(APIView):
    permission_classes = [IsAuthenticated, TokenScope]


@extend_schema(tags=["catalogue"])
class CatalogueView(Base):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="The role catalogue, in the import's JSON format",
        description="Published roles for everyone; catalogue editors also get draft roles.",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        document = interchange.catalogue_document()
        if not is_editor(request.user):
            published = {role["code"] for role in document["roles"] if role["published"]}
            document["roles"] = [r for r in document["roles"] if r["code"] in published]
            for role in document["roles"]:
                for steps in role["career"].values():
                    for step in steps:  # a draft role is not named to those who cannot read it
                        if step["role"] not in published:
                            step["role"] = None
        return Response(document)


@extend_schema(tags=["catalogue"])
class CatalogueImportView(Base):
    permission_classes = [IsAuthenticated, TokenScope, IsEditor]

    @extend_schema(
        summary="Import a catalogue document (dry run by default)",
        description="The same checks and load as the admin's import (careers/interchange.py).",
        request=serializers.CatalogueImport,
        responses={200: serializers.ImportReport},
    )
    def post(self, request: Request) -> Response:
        given = serializers.CatalogueImport(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            report = interchange.import_catalogue(
                document=data["document"], dry_run=data["dry_run"], prefix=data["prefix"]
            )
        except interchange.ImportRejected as rejected:
            return Response(
                {"errors": [str(error) for error in rejected.errors]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        counts = {str(name): dict(counter) for name, counter in report.counts.items()}
        return Response(
            {"dry_run": data["dry_run"], "counts": counts, "collisions": report.collisions}
        )


@extend_schema(tags=["results"])
class ResultListView(Base):
    @extend_schema(
        summary="Your submitted results, newest first",
        responses={200: serializers.ResultSummary(many=True)},
    )
    def get(self, request: Request) -> Response:
        results = (
            assessments_of(request.user)
            .filter(status=Assessment.Status.SUBMITTED)
            .order_by("-submitted_at", "-pk")
            .values("pk", "submitted_at", "mode", "cycle_id")
        )
        return Response(
            [
                {
                    "assessment": r["pk"],
                    "submitted_at": r["submitted_at"],
                    "mode": r["mode"],
                    "cycle": r["cycle_id"],
                }
                for r in results
            ]
        )


@extend_schema(tags=["results"])
class ResultView(Base):
    @extend_schema(
        summary="A result in the result export contract (the JSON file's document)",
        responses={200: OpenApiTypes.OBJECT, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        assessment = result_get(request.user, pk)
        return Response(result_export(request.user, assessment))


def _members(team: Team) -> list[dict]:
    memberships = by_username(team.memberships.select_related("user", "target_role"))
    return [
        {
            "id": m.pk,
            "username": m.user.get_username(),
            "kind": m.kind,
            "target_role": m.target_role.code if m.target_role else None,
        }
        for m in memberships
    ]


@extend_schema(tags=["teams"])
class TeamListView(Base):
    @extend_schema(summary="Your teams", responses={200: serializers.TeamSummary(many=True)})
    def get(self, request: Request) -> Response:
        user = request.user
        memberships = TeamMembership.objects.filter(team__in=teams_of(user), user=user.pk)
        return Response(
            [
                {"id": m.team_id, "name": m.team.name, "kind": m.kind}
                for m in memberships.select_related("team").order_by("team__name", "team_id")
            ]
        )


@extend_schema(tags=["teams"])
class TeamView(Base):
    @extend_schema(
        summary="A team of yours and its people",
        responses={200: serializers.TeamDetail, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        team, membership = team_for_member(request.user, pk)
        return Response(
            {"id": team.pk, "name": team.name, "kind": membership.kind, "members": _members(team)}
        )


def _cycle(cycle) -> dict:
    return {
        "id": cycle.pk,
        "name": cycle.name,
        "due_date": cycle.due_date,
        "opened_at": cycle.opened_at,
        "closed_at": cycle.closed_at,
    }


@extend_schema(tags=["teams"])
class CycleListView(Base):
    @extend_schema(
        summary="The review cycles of a team you manage",
        responses={200: serializers.Cycle(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        team = team_for_manager(request.user, pk)
        return Response([_cycle(c) for c in team.cycles.order_by("-opened_at", "-pk")])


@extend_schema(tags=["teams"])
class MatrixView(Base):
    @extend_schema(
        summary="A cycle's matrix (the matrix JSON file's document)",
        responses={200: serializers.Matrix, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int, cycle_pk: int) -> Response:
        team = team_for_manager(request.user, pk)
        cycle = get_object_or_404(team.cycles.select_related("team"), pk=cycle_pk)
        return Response(matrix_document(cycle))


def _account(user) -> dict:
    return {
        "id": user.pk,
        "username": user.get_username(),
        "email": user.email,
        "is_active": user.is_active,
    }


@extend_schema(tags=["provisioning"])
class AccountListView(Base):
    permission_classes = [IsAuthenticated, TokenScope, IsProvisioner]

    @extend_schema(summary="Accounts", responses={200: serializers.Account(many=True)})
    def get(self, request: Request) -> Response:
        users = get_user_model().objects.order_by("username")
        return Response([_account(u) for u in users])

    @extend_schema(
        summary="Create an account",
        request=serializers.Account,
        responses={201: serializers.Account},
    )
    def post(self, request: Request) -> Response:
        given = serializers.Account(data=request.data)
        given.is_valid(raise_exception=True)
        user = provisioning.account_create(**given.validated_data)
        return Response(_account(user), status=status.HTTP_201_CREATED)


@extend_schema(tags=["provisioning"])
class AccountDeactivateView(Base):
    permission_classes = [IsAuthenticated, TokenScope, IsProvisioner]

    @extend_schema(
        summary="Deactivate an account (and revoke its tokens)",
        request=None,
        responses={200: serializers.Account, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = get_object_or_404(get_user_model(), pk=pk)
        provisioning.account_deactivate(user=user)
        return Response(_account(user))


@extend_schema(tags=["provisioning"])
class MembershipListView(Base):
    permission_classes = [IsAuthenticated, TokenScope, IsProvisioner]

    @extend_schema(
        summary="Put someone in a team, or change their kind",
        request=serializers.MembershipWrite,
        responses={200: serializers.Membership, 404: NOT_FOUND, 409: serializers.ImportErrors},
    )
    def post(self, request: Request, pk: int) -> Response:
        team = get_object_or_404(Team, pk=pk)
        given = serializers.MembershipWrite(data=request.data)
        given.is_valid(raise_exception=True)
        user = get_object_or_404(get_user_model(), pk=given.validated_data["user"], is_active=True)
        try:
            membership = team_services.membership_add(
                team=team, user=user, kind=given.validated_data["kind"]
            )
        except team_services.LastManager:
            return _last_manager()
        return Response(
            {"id": membership.pk, "team": team.pk, "user": user.pk, "kind": membership.kind}
        )


def _last_manager() -> Response:
    return Response(
        {"errors": [_("A team needs at least one manager.")]}, status=status.HTTP_409_CONFLICT
    )


@extend_schema(tags=["provisioning"])
class MembershipView(Base):
    permission_classes = [IsAuthenticated, TokenScope, IsProvisioner]

    @extend_schema(
        summary="Take someone out of a team",
        responses={204: None, 404: NOT_FOUND, 409: serializers.ImportErrors},
    )
    def delete(self, request: Request, pk: int, membership_pk: int) -> Response:
        membership = get_object_or_404(
            TeamMembership.objects.select_related("team"), team__pk=pk, pk=membership_pk
        )
        try:
            team_services.membership_remove(membership=membership)
        except team_services.LastManager:
            return _last_manager()
        return Response(status=status.HTTP_204_NO_CONTENT)
