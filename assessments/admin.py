from django.contrib import admin

from .models import Assessment


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Read-only support view: answers belong to their owner and are not edited here."""

    list_display = ("pk", "owner", "status", "created_at", "submitted_at")
    list_filter = ("status",)
    search_fields = ("owner__username",)
    list_select_related = ("owner",)
    readonly_fields = ("owner", "status", "created_at", "updated_at", "submitted_at", "roles")
    exclude = ("snapshot",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
