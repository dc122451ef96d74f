from django.contrib import admin

from .models import CycleExport


@admin.register(CycleExport)
class CycleExportAdmin(admin.ModelAdmin):
    """Cycle files made by the worker: a failed one shows here with its error, and its
    task's FAILURE under Celery results (django-celery-results)."""

    list_display = ["cycle", "format", "language", "status", "attempts", "created_at", "error"]
    list_filter = ["status", "format"]
    list_select_related = ["cycle__team"]
    search_fields = ["cycle__name", "cycle__team__name"]
    exclude = ["content"]
    readonly_fields = [f.name for f in CycleExport._meta.fields if f.name != "content"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
