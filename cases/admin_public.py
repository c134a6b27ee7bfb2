"""Admin of the public pages' records: status links, rating requests and ratings.

Read-only for everyone: they are written only by cases/public_services.py. Token
hashes are never shown (they are useless without the token, but say nothing either).
"""

from django.contrib import admin

from .admin_base import ReadOnlyAdmin
from .models_public import CaseStatusLink, SatisfactionRating, SatisfactionRequest


@admin.register(CaseStatusLink)
class CaseStatusLinkAdmin(ReadOnlyAdmin):
    list_display = ("case", "created_at", "created_by", "revoked_at")
    list_select_related = ("case", "created_by")
    search_fields = ("case__reference",)
    fields = ("case", "created_at", "created_by", "revoked_at")


@admin.register(SatisfactionRequest)
class SatisfactionRequestAdmin(ReadOnlyAdmin):
    list_display = ("case", "created_at", "created_by")
    list_select_related = ("case", "created_by")
    search_fields = ("case__reference",)
    fields = ("case", "created_at", "created_by")


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(ReadOnlyAdmin):
    list_display = ("case", "score", "created_at")
    list_filter = ("score", "created_at")
    list_select_related = ("case",)
    search_fields = ("case__reference",)
    fields = ("case", "score", "comment", "created_at")
