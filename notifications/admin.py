from django.contrib import admin

from .models import Message, Preference


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["key", "to", "created_at", "sent_at", "attempts", "failed_at", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter), "failed_at"]
    search_fields = ["key", "to"]
    readonly_fields = [f.name for f in Message._meta.fields]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "turned_off"]
    raw_id_fields = ["user"]
