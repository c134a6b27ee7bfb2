"""Admin of the agents' UI: canned responses (supervisors write them, agents insert them)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import CannedResponse


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("title", "language", "is_active", "position", "queue_list", "updated_at")
    list_filter = ("language", "is_active", "queues")
    list_editable = ("is_active", "position")
    search_fields = ("title", "text")
    filter_horizontal = ("queues",)
    fields = ("title", "language", "text", "queues", "is_active", "position")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("queues")

    @admin.display(description=_("queues"))
    def queue_list(self, obj: CannedResponse) -> str:
        return ", ".join(str(q) for q in obj.queues.all()) or _("all queues")
