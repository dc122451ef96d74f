"""Request and response shapes, for the validation of input and the OpenAPI schema.

The documents the files already publish (the result export contract, the catalogue's
import format, the team matrix) are returned as the files have them, built by the same
functions: their shapes are described in docs/DESIGN.md and the README, not here again.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from careers.interchange import PREFIX_LENGTH
from teams.models import TeamMembership


@extend_schema_field(OpenApiTypes.OBJECT)
class Document(serializers.JSONField):
    """A JSON object (its shape is the import's: README, the role catalogue)."""


class Text(serializers.CharField):
    """A string, and only a string (DRF's CharField would take 0 for "0")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ResultSummary(serializers.Serializer):
    assessment = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    mode = serializers.CharField()
    cycle = serializers.IntegerField(allow_null=True)


class CatalogueImport(serializers.Serializer):
    document = Document(
        help_text=_("The catalogue in the import's JSON format (README, the role catalogue).")
    )
    dry_run = serializers.BooleanField(
        default=True, help_text=_("Check and report only, write nothing (the default).")
    )
    prefix = Text(max_length=PREFIX_LENGTH, required=False, allow_blank=True, default="")


class ImportReport(serializers.Serializer):
    dry_run = serializers.BooleanField()
    counts = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    collisions = serializers.ListField(child=serializers.CharField())


class ImportErrors(serializers.Serializer):
    errors = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]


class Member(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    kind = serializers.CharField()
    target_role = serializers.CharField(allow_null=True)


class TeamSummary(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text=_("Your place in the team: member or manager."))


class TeamDetail(TeamSummary):
    members = Member(many=True)


class Cycle(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    due_date = serializers.DateField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class Matrix(serializers.Serializer):
    team = serializers.CharField()
    cycle = serializers.CharField()
    rows = serializers.ListField(child=serializers.DictField())


class Account(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = Text(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    password = Text(
        write_only=True,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Empty: the account has no password and signs in by single sign-on or reset."),
    )
    is_active = serializers.BooleanField(read_only=True)

    def validate_username(self, value: str) -> str:
        model = get_user_model()
        field = model._meta.get_field(model.USERNAME_FIELD)
        assert isinstance(field, models.Field)
        try:
            field.clean(value, None)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from exc
        if model.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError(_("This username is taken."))
        return value

    def validate(self, attrs):
        if attrs.get("password"):
            user = get_user_model()(username=attrs["username"], email=attrs.get("email", ""))
            try:
                validate_password(attrs["password"], user)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class MembershipWrite(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    kind = serializers.ChoiceField(choices=TeamMembership.Kind.choices)


class Membership(serializers.Serializer):
    id = serializers.IntegerField()
    team = serializers.IntegerField()
    user = serializers.IntegerField()
    kind = serializers.CharField()
