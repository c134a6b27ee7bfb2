"""Admin of the connector: accounts with their health, gaps, channels, and the raw
inbound events and delivery attempts (read-only for everyone, superusers included)."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases.admin_base import ReadOnlyAdmin

from . import selectors, services
from .models import DeliveryAttempt, InboundChannel, InboundEvent, MentionGap, SocialAccount


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "is_active",
        "health",
        "alarms",
        "last_poll_at",
        "last_mention_at",
        "paused_until",
        "rate_limit",
        "open_gaps",
        "last_error_at",
    )
    list_filter = ("platform", "is_active", "health")
    search_fields = ("handle", "display_name", "external_id")
    actions = ["resume_polling"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "platform",
                    "handle",
                    "external_id",
                    "display_name",
                    "is_active",
                    "poll_interval_seconds",
                    "silence_alarm_hours",
                    "credentials_env",
                    "transparency_public",
                )
            },
        ),
        (
            _("Health"),
            {
                "fields": (
                    "health",
                    "alarms",
                    "last_poll_at",
                    "last_attempt_at",
                    "last_mention_at",
                    "last_error",
                    "last_error_at",
                    "backoff_until",
                    "consecutive_failures",
                    "rate_limit_limit",
                    "rate_limit_remaining",
                    "rate_limit_reset_at",
                    "open_gaps",
                )
            },
        ),
        (
            _("Poller"),
            {"fields": ("since_id", "watermark_at", "poll_lease_owner", "poll_lease_until")},
        ),
    )
    readonly_fields = (
        "health",
        "alarms",
        "last_poll_at",
        "last_attempt_at",
        "last_mention_at",
        "last_error",
        "last_error_at",
        "backoff_until",
        "consecutive_failures",
        "rate_limit_limit",
        "rate_limit_remaining",
        "rate_limit_reset_at",
        "open_gaps",
        "since_id",
        "watermark_at",
        "poll_lease_owner",
        "poll_lease_until",
    )

    def get_readonly_fields(self, request, obj=None):
        # The X id comes from `add_x_account`; changing it would re-point webhooks.
        if obj is not None:
            return (*self.readonly_fields, "platform", "external_id")
        return self.readonly_fields

    def get_queryset(self, request):
        return selectors.with_health_data(super().get_queryset(request), now=timezone.now())

    def _health(self, obj):
        if not hasattr(obj, "_health_cache"):
            obj._health_cache = selectors.health_of(obj, now=timezone.now())
        return obj._health_cache

    @admin.display(description=_("alarms"))
    def alarms(self, obj):
        if obj.pk is None:
            return "-"
        return ", ".join(self._health(obj).alarms) or "-"

    @admin.display(description=_("paused until"))
    def paused_until(self, obj):
        return self._health(obj).paused_until or "-"

    @admin.display(description=_("rate limit left"))
    def rate_limit(self, obj):
        if obj.rate_limit_remaining is None:
            return "-"
        return f"{obj.rate_limit_remaining}/{obj.rate_limit_limit or '?'}"

    @admin.display(description=_("open gaps"))
    def open_gaps(self, obj):
        if obj.pk is None:
            return "-"
        return len(self._health(obj).open_gaps)

    @admin.action(description=_("Resume polling now (lift the pause)"))
    def resume_polling(self, request, queryset):
        for account in queryset:
            services.account_resume(account=account)
        self.message_user(
            request,
            ngettext("%d account resumed.", "%d accounts resumed.", queryset.count())
            % queryset.count(),
            messages.SUCCESS,
        )


@admin.register(MentionGap)
class MentionGapAdmin(ReadOnlyAdmin):
    list_display = (
        "account",
        "from_time",
        "to_time",
        "estimated_count",
        "fetched_count",
        "detected_at",
        "acknowledged_at",
        "acknowledged_by",
    )
    list_filter = ("account", ("acknowledged_at", admin.EmptyFieldListFilter))
    list_select_related = ("account", "acknowledged_by")
    actions = ["acknowledge"]

    @admin.action(description=_("Acknowledge the selected gaps"), permissions=["view"])
    def acknowledge(self, request, queryset):
        done = sum(services.gap_acknowledge(gap=gap, user=request.user) for gap in queryset)
        self.message_user(
            request, ngettext("%d gap acknowledged.", "%d gaps acknowledged.", done) % done
        )


@admin.register(InboundEvent)
class InboundEventAdmin(ReadOnlyAdmin):
    """The raw events, verbatim: read-only for everyone, superusers included."""

    list_display = (
        "received_at",
        "platform",
        "external_id",
        "account",
        "source",
        "state",
        "reason",
    )
    list_filter = ("state", "source", "platform", "account")
    list_select_related = ("account",)
    search_fields = ("=external_id",)
    show_full_result_count = False
    date_hierarchy = "received_at"


@admin.register(InboundChannel)
class InboundChannelAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("slug", "name")
    readonly_fields = ("created_at",)

    def get_readonly_fields(self, request, obj=None):
        # The slug is the channel of every case it opened: fixed once created.
        if obj is not None:
            return (*self.readonly_fields, "slug")
        return self.readonly_fields


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = (
        "message",
        "number",
        "started_at",
        "finished_at",
        "outcome",
        "status_code",
        "tweet_id",
        "retry_at",
        "error",
    )
    list_filter = ("outcome",)
    list_select_related = ("message",)
    search_fields = ("=tweet_id", "=message__id")
    show_full_result_count = False
