"""Admin for routing rules, with the "try a text" tool."""

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import RoutingRule
from .routing import MentionFacts, explain
from .text import detect_language, normalize


class TryTextForm(forms.Form):
    text = forms.CharField(
        label=_("Text of a mention"), widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"})
    )
    account = forms.CharField(label=_("Organisation account mentioned"), required=False)
    followers = forms.IntegerField(label=_("Author's followers"), required=False, min_value=0)
    verified = forms.BooleanField(label=_("Author verified"), required=False)
    earlier_cases = forms.IntegerField(
        label=_("Author's cases in the last 7 days"), required=False, min_value=0, max_value=100
    )


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "order",
        "name",
        "queue",
        "category",
        "priority_floor",
        "tags_display",
        "stop",
        "not_a_case",
        "is_active",
    )
    list_display_links = ("name",)
    list_editable = ("order", "is_active")
    list_filter = ("is_active", "queue", "category", "priority_floor")
    list_select_related = ("queue",)
    search_fields = ("name", "keywords")
    fieldsets = (
        (None, {"fields": ("name", "order", "is_active")}),
        (
            _("Conditions"),
            {
                "fields": (
                    "match_mode",
                    "keywords",
                    "exclude",
                    "hashtags",
                    "languages",
                    "accounts",
                    "min_followers",
                    "verified",
                    ("repeat_cases", "repeat_days"),
                )
            },
        ),
        (
            _("Actions"),
            {
                "fields": (
                    "queue",
                    "category",
                    "priority_floor",
                    "tags",
                    "assignee",
                    "stop",
                    "not_a_case",
                )
            },
        ),
    )

    def get_urls(self):
        return [
            path(
                "try/", self.admin_site.admin_view(self.try_text_view), name="cases_routingrule_try"
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "try_url": reverse("admin:cases_routingrule_try")}
        return super().changelist_view(request, extra_context)

    def try_text_view(self, request):
        """Which rules match a text, and why each other rule did not."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = TryTextForm(request.POST or None)
        rows, normalised, language = [], "", ""
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            language = detect_language(data["text"], None)
            normalised = normalize(data["text"])
            facts = MentionFacts(
                text=data["text"],
                language=language,
                account_handle=data["account"].lstrip("@").lower(),
                followers=data["followers"],
                verified=data["verified"],
                recent_case_ages_days=tuple(1.0 for _ in range(data["earlier_cases"] or 0)),
            )
            rules = RoutingRule.objects.filter(is_active=True).select_related("queue", "assignee")
            for spec, match, status in explain([rule.to_spec() for rule in rules], facts):
                rows.append(
                    {
                        "rule": spec,
                        "matched": match is not None,
                        "reasons": ", ".join(match.reasons) if match else status,
                        "status": status,
                        "link": reverse("admin:cases_routingrule_change", args=[spec.id])
                        if spec.id
                        else "",
                    }
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Try a text against the routing rules"),
            "opts": self.model._meta,
            "form": form,
            "rows": rows,
            "normalised": normalised,
            "language": language,
        }
        return TemplateResponse(request, "admin/cases/routingrule/try_text.html", context)

    @admin.display(description=_("tags"))
    def tags_display(self, obj):
        return format_html("<bdi>{}</bdi>", obj.tags)
