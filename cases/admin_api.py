"""Admin for the REST API: API keys (the key is shown once, in a message, when
created) and webhook subscribers with their delivery log.

Registered on import; `cases/admin.py` imports this module.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models_api import WEBHOOK_EVENTS, ApiKey, WebhookDelivery, WebhookSubscriber


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=ApiKey.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiKey.Scope.READ],
    )

    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "queue", "expires_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = (
        "name",
        "prefix",
        "scope_list",
        "queue",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "created_by",
        "created_at",
    )
    list_filter = ("queue", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("queue", "created_by")
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "last_used_at", "revoked_at", "created_by", "created_at")
    actions = ["revoke"]

    @admin.display(description=_("scopes"))
    def scope_list(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes or [])

    def get_readonly_fields(self, request, obj=None):
        # The scopes and queue of an existing key are what its holder was given:
        # to change them, issue a new key and revoke this one.
        if obj is not None:
            return (*self.readonly_fields, "scopes", "queue")
        return self.readonly_fields

    def save_model(self, request, obj: ApiKey, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        obj.created_by = request.user
        raw = obj.set_new_key()
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            _("The key of “%(name)s” is shown this once; copy it now: %(key)s")
            % {"name": obj.name, "key": raw},
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%(count)d key(s) revoked.") % {"count": count})

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row says who used the key and when


class WebhookSubscriberForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=[(event, event) for event in WEBHOOK_EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookSubscriber
        fields = ["name", "url", "events", "is_active", "allow_private", "secret"]


@admin.register(WebhookSubscriber)
class WebhookSubscriberAdmin(admin.ModelAdmin):
    form = WebhookSubscriberForm
    list_display = (
        "name",
        "url",
        "event_list",
        "is_active",
        "allow_private",
        "delivery_log",
        "created_at",
    )
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    readonly_fields = ("delivery_log",)

    @admin.display(description=_("delivery log"))
    def delivery_log(self, obj: WebhookSubscriber) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:cases_webhookdelivery_changelist")
        return format_html(
            '<a href="{}?subscriber__id__exact={}">{}</a>', url, obj.pk, _("deliveries")
        )

    @admin.display(description=_("events"))
    def event_list(self, obj: WebhookSubscriber) -> str:
        return ", ".join(obj.events or [])

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "event",
        "subscriber",
        "case",
        "status",
        "attempts",
        "response_status",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "event", "subscriber")
    list_select_related = ("subscriber", "case")
    search_fields = ("uuid", "case__reference")
    show_full_result_count = False
    actions = ["retry_now"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry the selected deliveries now"))
    def retry_now(self, request, queryset):
        from .services import enqueue_on_commit

        ids = list(
            queryset.exclude(status=WebhookDelivery.Status.SUCCEEDED).values_list("pk", flat=True)
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(
            status=WebhookDelivery.Status.RETRYING, next_attempt_at=timezone.now()
        )
        for pk in ids:
            enqueue_on_commit("cases.webhooks.deliver", pk)
        self.message_user(request, _("%(count)d delivery(ies) queued.") % {"count": len(ids)})
