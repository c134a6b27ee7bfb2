"""Admin of the public pages' records: status links, rating requests and ratings.

Read-only for everyone: they are written only by cases/public_services.py. Token
hashes are never shown (they are useless without the token, but say nothing either).
"""

from django.contrib import admin

from .models_public import CaseStatusLink, SatisfactionRating, SatisfactionRequest


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseStatusLink)
class CaseStatusLinkAdmin(_ReadOnly):
    list_display = ("case", "created_at", "created_by", "revoked_at")
    list_select_related = ("case", "created_by")
    search_fields = ("case__reference",)
    fields = ("case", "created_at", "created_by", "revoked_at")


@admin.register(SatisfactionRequest)
class SatisfactionRequestAdmin(_ReadOnly):
    list_display = ("case", "created_at", "created_by")
    list_select_related = ("case", "created_by")
    search_fields = ("case__reference",)
    fields = ("case", "created_at", "created_by")


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(_ReadOnly):
    list_display = ("case", "score", "created_at")
    list_filter = ("score", "created_at")
    list_select_related = ("case",)
    search_fields = ("case__reference",)
    fields = ("case", "score", "comment", "created_at")
