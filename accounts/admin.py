"""People in the admin: Django's own user admin, with a person's data rights (export,
erasure) as actions; the erasure records, read only."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import data_rights
from .models import ErasureRecord
from .services import DeletionBlocked

User = get_user_model()
EXPORT = "accounts.export_personal_data"
ERASE = "accounts.erase_personal_data"

admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    actions = ["export_data", "erase_data"]

    def has_export_data_permission(self, request) -> bool:
        return request.user.has_perm(EXPORT)

    def has_erase_data_permission(self, request) -> bool:
        return request.user.has_perm(ERASE)

    def get_urls(self):
        erase = self.admin_site.admin_view(self.erase_view)
        return [
            path("<int:pk>/erase/", erase, name="accounts_person_erase"),
            *super().get_urls(),
        ]

    def _one(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one person."), messages.ERROR)
            return None
        return queryset.get()

    @admin.action(
        description=gettext_lazy("Export this person's data"), permissions=["export_data"]
    )
    def export_data(self, request, queryset):
        person = self._one(request, queryset)
        if person is None:
            return None
        # Everything, the reviews not yet shared included: a request to the administrator.
        archive = data_rights.person_archive(user=person, unshared_ratings=True)
        return FileResponse(
            archive,
            as_attachment=True,
            filename=data_rights.archive_name(person),
            content_type="application/zip",
        )

    @admin.action(description=gettext_lazy("Erase this person's data"), permissions=["erase_data"])
    def erase_data(self, request, queryset):
        person = self._one(request, queryset)
        if person is None:
            return None
        return redirect("admin:accounts_person_erase", person.pk)

    def erase_view(self, request, pk: int):
        """What erasing the person removes and what stops it; erased on confirmation."""
        if not self.has_erase_data_permission(request):
            raise PermissionDenied
        person = User.objects.filter(pk=pk).first()
        if person is None:
            raise Http404
        if person.pk == request.user.pk:
            self.message_user(request, _("You cannot erase your own account here."), messages.ERROR)
            return redirect("admin:auth_user_change", person.pk)
        successors: dict[int, int] = {}
        error = ""
        if request.method == "POST":
            for key, value in request.POST.items():
                if key.startswith("successor-") and value.isdigit():
                    team = key.removeprefix("successor-")
                    if team.isdigit():
                        successors[int(team)] = int(value)
            try:
                record = data_rights.person_erase(
                    user=person, by=request.user, successors=successors
                )
            except DeletionBlocked:
                error = _("Choose who takes over each team below before erasing.")
            else:
                self.message_user(
                    request,
                    _("The person's data is erased (record #%(record)s).") % {"record": record.pk},
                    messages.SUCCESS,
                )
                return redirect("admin:accounts_erasurerecord_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase this person's data"),
            "person": person,
            "plan": data_rights.erasure_plan(person),
            "successors": successors,
            "error": error,
            "opts": self.opts,
            "change_url": reverse("admin:auth_user_change", args=[person.pk]),
        }
        return TemplateResponse(request, "admin/accounts/erase_person.html", context)


@admin.register(ErasureRecord)
class ErasureRecordAdmin(admin.ModelAdmin):
    list_display = [
        "former_user_id",
        "erased_at",
        "erased_by_username",
        "assessments",
        "teams_removed",
        "teams_handed_over",
        "cycles_recomputed",
    ]
    search_fields = ["former_user_id", "email_digest", "erased_by_username"]
    readonly_fields = [field.name for field in ErasureRecord._meta.fields]

    def get_search_results(self, request, queryset, search_term):
        """An address searched for is compared by its digest, as the record keeps it."""
        if "@" in search_term:
            return queryset.filter(email_digest=data_rights.email_digest(search_term)), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request) -> bool:
        return False  # written by the erasure alone

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
