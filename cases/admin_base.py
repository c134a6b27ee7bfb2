"""Admin building blocks shared by both apps' admin modules."""

from django.contrib import admin


class ReadOnlyMixin:
    """Records of what happened (events, deliveries, escalations): viewable, never
    added, edited or deleted through the admin — superusers included."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False
