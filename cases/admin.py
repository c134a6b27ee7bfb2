"""The Django admin: supervisors' console. Workflow fields are read-only here;
they change only through the services (issue 7 adds the actions)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Case, CaseEvent, Customer, Incident, Message, Queue, User


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("created_at", "direction", "author", "customer", "text", "platform_id", "delivery")
    readonly_fields = fields


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("created_at", "kind", "actor", "actor_kind", "data")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "priority",
        "status",
        "queue",
        "category",
        "assignee",
        "customer",
        "first_response_due",
        "created_at",
    )
    list_filter = ("status", "priority", "queue", "category", "channel", "language")
    list_select_related = ("queue", "assignee", "customer")
    search_fields = ("reference", "customer__handle")
    show_full_result_count = False
    date_hierarchy = "created_at"
    inlines = [MessageInline, CaseEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("handle", "name", "platform", "followers", "verified", "updated_at")
    search_fields = ("handle", "name", "external_id")
    list_filter = ("platform", "verified")
    readonly_fields = ("platform", "external_id", "first_seen_at", "updated_at")


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_en", "name_ar", "assignment_mode")
    filter_horizontal = ("members",)


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("key", "queue", "opened_at", "last_report_at", "is_open")
    list_filter = ("is_open", "queue")


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    """The audit log: read-only for everyone, superusers included."""

    list_display = ("created_at", "case", "kind", "actor", "actor_kind")
    list_filter = ("kind", "actor_kind")
    list_select_related = ("case", "actor")
    search_fields = ("case__reference",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class SadaUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "is_available", "capacity", "is_staff")
    list_filter = ("groups", "is_available", "is_staff", "is_active")
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Helpdesk"), {"fields": ("language", "is_available", "capacity")}),
    )


admin.site.site_header = _("Sada — صدى")
admin.site.site_title = _("Sada")

# The admin of each part lives beside it; importing registers it.
from . import admin_api, admin_routing, admin_sla, admin_ui  # noqa: E402,F401
