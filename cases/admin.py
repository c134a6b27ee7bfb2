"""The Django admin: supervisors' console for cases and configuration.

Roles (issue 7):

- Supervisors are staff (`is_staff`) and use the admin with the "Supervisors"
  group's permissions: they route, reprioritise, escalate and close cases here.
- Agents are not staff and do not use the admin at all: their work happens in the
  agents' UI (`/cases/`), which applies the same services and visibility rules.
- Case workflow fields (status, priority, queue, assignee, ...) are read-only on
  every page of the admin; they change only through the admin actions, each of
  which calls one service per case (its own transaction, its own audit event).
- The event log (`CaseEvent`) and raw inbound events are read-only for everyone,
  superusers included.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import UserAdmin
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import services, sla, sla_services
from .admin_base import ReadOnlyAdmin, ReadOnlyInline
from .error_text import error_text
from .exceptions import CaseError
from .models import Case, CaseEvent, Customer, Escalation, Incident, Message, Queue, User
from .selectors_ui import with_business_remaining, with_sla

# A bulk action touches at most this many cases; more is a mistake, not a workflow.
MAX_ACTION_CASES = 200

SLA_STATE_LABELS = {
    sla.OK: pgettext_lazy("sla state", "on time"),
    sla.WARNING: pgettext_lazy("sla state", "due soon"),
    sla.BREACHED: pgettext_lazy("sla state", "overdue"),
    sla.PAUSED: pgettext_lazy("sla state", "paused"),
    sla.MET: pgettext_lazy("sla state", "met"),
}
# Colours of the SLA timer; the admin's own stylesheet (and its RTL twin) does the rest.
SLA_STATE_COLOURS = {
    sla.OK: "#1e7d32",
    sla.WARNING: "#a35f00",
    sla.BREACHED: "#ba2121",
    sla.PAUSED: "#666",
    sla.MET: "#417690",
}


def duration_text(seconds: float) -> str:
    """A short duration in the reader's language: "2d 3h", "3h 05m", "12m"."""
    minutes = int(seconds) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return gettext("%(d)dd %(h)dh") % {"d": days, "h": hours}
    if hours:
        return gettext("%(h)dh %(m)02dm") % {"h": hours, "m": minutes}
    return gettext("%(m)dm") % {"m": minutes}


def met_text(met: bool | None) -> str:
    if met is None:
        return gettext("not measured yet")
    return gettext("yes") if met else gettext("no, missed")


# --- Paginator: no COUNT(*) of the whole table --------------------------------------


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows (a COUNT over a LIMIT subquery), so a list of a
    million cases costs as much as one of ten thousand. On PostgreSQL, the unfiltered
    list shows the planner's estimate (pg_class.reltuples) instead."""

    COUNT_CAP = 10_000

    # What the page tells the reader about the number: exact, "at least" or "about".
    count_kind = "exact"

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE relname = %s",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > self.COUNT_CAP:
                self.count_kind = "estimate"
                return int(row[0])
        count = queryset.order_by().values("pk")[: self.COUNT_CAP].count()
        if count >= self.COUNT_CAP:
            self.count_kind = "at_least"
        return count


class CaseChangeList(ChangeList):
    def get_results(self, request) -> None:
        super().get_results(request)
        # Business time left, for the page's rows only (a fixed number of queries).
        rows = with_business_remaining(list(self.result_list), request.sada_now)
        for row in rows:
            row.sla_now = request.sada_now
        self.result_list = rows
        self.count_kind = getattr(self.paginator, "count_kind", "exact")


# --- Filters --------------------------------------------------------------------------


class SlaStateFilter(admin.SimpleListFilter):
    title = _("SLA state")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return list(SLA_STATE_LABELS.items())

    def queryset(self, request, queryset):
        if self.value() in SLA_STATE_LABELS:
            return queryset.filter(sla_state=self.value())
        return queryset


class EscalationFilter(admin.SimpleListFilter):
    """Fixed choices: a DISTINCT over the case table would scan all of it."""

    title = _("escalation")
    parameter_name = "escalation"

    def lookups(self, request, model_admin):
        return [
            ("0", _("not escalated")),
            ("1", _("level 1")),
            ("2", _("level 2")),
            ("3", _("level 3 or higher")),
            ("unacknowledged", _("waiting for acknowledgement")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value in ("0", "1", "2"):
            return queryset.filter(escalation_level=int(value))
        if value == "3":
            return queryset.filter(escalation_level__gte=3)
        if value == "unacknowledged":
            return queryset.filter(escalation_unacknowledged=True)
        return queryset


class AssigneeFilter(admin.RelatedFieldListFilter):
    """The people who hold a case, not every account (API key owners, departed staff
    without cases, ...): one EXISTS per user on the assignee index, where Django's
    RelatedOnlyFieldListFilter takes a DISTINCT over the whole case table."""

    def field_choices(self, field, request, model_admin):
        holders = User.objects.filter(Exists(Case.objects.filter(assignee=OuterRef("pk"))))
        return [(user.pk, str(user)) for user in holders.order_by("username")]


class LanguageFilter(admin.SimpleListFilter):
    title = _("language")
    parameter_name = "lang"

    def lookups(self, request, model_admin):
        return [("ar", _("Arabic")), ("en", _("English")), ("other", _("other"))]

    def queryset(self, request, queryset):
        if self.value() in ("ar", "en"):
            return queryset.filter(language=self.value())
        if self.value() == "other":
            return queryset.exclude(language__in=["ar", "en"])
        return queryset


# --- Forms of the actions -----------------------------------------------------------


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("assign to"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label=_("nobody (unassign)"),
    )


class QueueForm(forms.Form):
    queue = forms.ModelChoiceField(label=_("queue"), queryset=Queue.objects.all())
    reason = forms.CharField(label=_("reason"), required=False, max_length=500)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("priority"), choices=Case.Priority.choices)
    reason = forms.CharField(label=_("reason"), max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500, widget=forms.Textarea)


class MergeForm(forms.Form):
    into = forms.CharField(label=_("merge into case (reference)"), max_length=20)

    def clean_into(self) -> Case:
        reference = self.cleaned_data["into"].strip()
        try:
            return Case.objects.get(reference__iexact=reference)
        except Case.DoesNotExist:
            raise forms.ValidationError(
                _("No case has the reference %(reference)s."), params={"reference": reference}
            ) from None


# --- Inlines --------------------------------------------------------------------------


class MessageInline(ReadOnlyInline):
    model = Message
    verbose_name_plural = _("conversation")
    fields = ("created_at", "direction", "written_by", "tweet_text", "delivery")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "customer")

    @admin.display(description=_("author"))
    def written_by(self, obj: Message) -> str:
        return format_html('<bdi dir="auto">{}</bdi>', obj.author or obj.customer or "—")

    @admin.display(description=_("text"))
    def tweet_text(self, obj: Message) -> str:
        return format_html('<div dir="auto" style="white-space: pre-wrap">{}</div>', obj.text)


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    verbose_name_plural = _("event log")
    fields = ("when", "who", "description")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def get_formset(self, request, obj=None, **kwargs):
        self._case = obj  # inline instances are built per request
        return super().get_formset(request, obj, **kwargs)

    @cached_property
    def _users(self) -> dict[int, User]:
        # One query for the people the log's assignments name, not one per row.
        case = getattr(self, "_case", None)
        if case is None:
            return {}
        data = case.events.filter(kind="assigned").values_list("data", flat=True)
        ids = {d.get(key) for d in data for key in ("old", "new")} - {None}
        return {user.pk: user for user in User.objects.filter(pk__in=ids)}

    @admin.display(description=_("when"))
    def when(self, obj: CaseEvent):
        return obj.created_at

    @admin.display(description=_("who"))
    def who(self, obj: CaseEvent) -> str:
        return str(obj.actor) if obj.actor else ACTOR_KINDS.get(obj.actor_kind, obj.actor_kind)

    @admin.display(description=_("what happened"))
    def description(self, obj: CaseEvent) -> str:
        return event_description(obj, self._users)


ACTOR_KINDS = {
    "system": _("Sada (automatic)"),
    "rule": _("a routing rule"),
    "api": _("an API client"),
    "user": _("a person"),
}


class EscalationInline(ReadOnlyInline):
    model = Escalation
    fields = (
        "level",
        "target",
        "trigger",
        "reason",
        "raised_by",
        "created_at",
        "acknowledged_by",
        "acknowledged_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("raised_by", "acknowledged_by")


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def event_description(event: CaseEvent, users: dict[int, User]) -> str:
    """One line in the reader's language from the event's machine values."""
    data = event.data or {}

    def user(pk) -> str:
        return str(users.get(pk, pk)) if pk else gettext("nobody")

    def status(value) -> str:
        return _label(Case.Status, value)

    def target(value) -> str:
        return _label(Escalation.Target, value)

    def with_reason(text: str) -> str:
        reason = data.get("reason")
        return f"{text} ({reason})" if reason else text

    kind = event.kind
    if kind == "created":
        return gettext("created in queue %(queue)s with priority %(priority)s") % data
    if kind == "message_received":
        return gettext("message received from the customer")
    if kind == "assigned":
        if data.get("new"):
            return gettext("assigned to %(user)s") % {"user": user(data["new"])}
        return gettext("unassigned")
    if kind == "status_changed":
        text = gettext("status %(old)s → %(new)s") % {
            "old": status(data.get("old")),
            "new": status(data.get("new")),
        }
        return with_reason(text)
    if kind == "reopened":
        return gettext("reopened (was %(old)s)") % {"old": status(data.get("previous_status"))}
    if kind == "priority_changed":
        return with_reason(gettext("priority %(old)s → %(new)s") % data)
    if kind == "queue_changed":
        return with_reason(gettext("queue %(old)s → %(new)s") % data)
    if kind == "escalated":
        return with_reason(gettext("escalated to level %(level)s") % data)
    if kind == "escalation_acknowledged":
        return gettext("escalation level %(level)s acknowledged") % data
    if kind == "sla_warning":
        return gettext("SLA due soon: %(target)s") % {"target": target(data.get("target"))}
    if kind == "sla_breached":
        return gettext("SLA overdue: %(target)s") % {"target": target(data.get("target"))}
    if kind == "sla_policy_changed":
        return gettext("SLA policy changed")
    if kind == "merged":
        return gettext("merged into %(into)s") % data
    if kind == "merged_from":
        return gettext("case %(source)s merged into this one") % data
    if kind == "reply_queued":
        return gettext("reply queued")
    if kind == "reply_delivered":
        return gettext("reply delivered")
    if kind == "reply_failed":
        return gettext("reply failed")
    if kind == "note_added":
        return gettext("internal note added")
    if kind == "tagged":
        return gettext("tags added: %(tags)s") % {"tags": ", ".join(data.get("tags") or [])}
    return kind


# --- Cases ----------------------------------------------------------------------------

# name, label; each is both an admin action and a button on the case page.
CASE_ACTIONS = [
    ("take", _("Take (assign to me)")),
    ("assign_to", _("Assign to…")),
    ("change_queue", _("Change queue…")),
    ("set_priority", _("Set priority…")),
    ("escalate", _("Escalate…")),
    ("acknowledge_escalation", _("Acknowledge escalation")),
    ("resolve", _("Resolve")),
    ("reopen", _("Reopen")),
    ("mark_not_a_case", _("Mark not a case…")),
    ("merge", _("Merge into…")),
]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "priority",
        "status",
        "queue",
        "assignee",
        "customer",
        "sla_timer",
        "escalation",
        "age",
    )
    list_filter = (
        "status",
        "priority",
        "queue",
        ("assignee", AssigneeFilter),
        SlaStateFilter,
        EscalationFilter,
        "account",
        LanguageFilter,
        "created_at",
    )
    list_select_related = ("queue", "assignee", "customer")
    search_fields = ("reference",)  # see get_search_results
    search_help_text = _("A reference (C-2026-000123), an @handle, or words of the messages.")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator
    list_per_page = 50
    actions = [name for name, _label in CASE_ACTIONS]
    inlines = [MessageInline, CaseEventInline, EscalationInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "reference",
                    "agent_ui_link",
                    "status",
                    "priority",
                    "priority_reasons",
                    "queue",
                    "assignee",
                    "customer",
                    "account",
                    "category",
                    "tags",
                    "channel",
                    "language",
                    "resolution",
                    "merged_into",
                    "incident",
                )
            },
        ),
        (
            _("SLA"),
            {
                "fields": (
                    "sla_policy",
                    "sla_state_display",
                    "escalation_level",
                    "first_response_due",
                    "first_responded_at",
                    "first_response_outcome",
                    "next_response_due",
                    "next_response_outcome",
                    "resolution_due",
                    "resolved_at",
                    "resolution_outcome",
                )
            },
        ),
        (_("Times"), {"fields": ("created_at", "opened_at", "updated_at", "closed_at")}),
    )

    def get_queryset(self, request):
        # One `now` per request: the SLA state, the timer and the age agree.
        request.sada_now = getattr(request, "sada_now", None) or timezone.now()
        queryset = with_sla(super().get_queryset(request), request.sada_now)
        unacknowledged = Escalation.objects.filter(case=OuterRef("pk"), acknowledged_at=None)
        return queryset.annotate(escalation_unacknowledged=Exists(unacknowledged))

    def get_changelist(self, request, **kwargs):
        return CaseChangeList

    def get_search_results(self, request, queryset, search_term):
        # A reference, an @handle (both indexed) or words of the search documents:
        # never a LIKE over every message.
        from .search import REFERENCE, search_filter

        term = search_term.strip()
        if REFERENCE.match(term):
            # References are stored upper-case: an exact match uses the unique index
            # (iexact would wrap the column in UPPER() and scan).
            return queryset.filter(reference=term.upper()), False
        return search_filter(queryset, term), False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Case._meta.fields] + [
            "agent_ui_link",
            "sla_state_display",
            "first_response_outcome",
            "next_response_outcome",
            "resolution_outcome",
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # The change form has no editable field; saving must not write the loaded row
    # back either (it would overwrite what a service changed meanwhile).
    def save_model(self, request, obj, form, change) -> None:
        pass

    def save_related(self, request, form, formsets, change) -> None:
        pass

    def construct_change_message(self, request, form, formsets, add=False):
        return []

    def log_change(self, request, obj, message):
        return None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "case_actions": CASE_ACTIONS,
            # Nothing on the form is editable: the actions are the way to change a case.
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def response_action(self, request, queryset):
        response = super().response_action(request, queryset)
        case_page = request.POST.get("_case_page", "")
        if case_page.isdigit() and isinstance(response, HttpResponseRedirect):
            return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case_page]))
        return response

    # --- Columns

    @admin.display(description=_("SLA"), ordering="due_at")
    def sla_timer(self, obj: Case) -> str:
        now = getattr(obj, "sla_now", None) or timezone.now()
        state = getattr(obj, "sla_state", None) or sla.sla_state(obj, now)
        label = SLA_STATE_LABELS.get(state, state)
        due = getattr(obj, "due_at", None)
        text = str(label)
        if obj.is_open and due is not None and obj.status != Case.Status.PENDING:
            remaining = getattr(obj, "sla_remaining_seconds", None)
            if due < now:
                text = gettext("overdue by %(t)s") % {
                    "t": duration_text((now - due).total_seconds())
                }
            elif remaining is not None:
                text = gettext("%(t)s left (business hours)") % {"t": duration_text(remaining)}
            else:
                text = gettext("%(t)s left") % {"t": duration_text((due - now).total_seconds())}
        return format_html(
            '<span class="sada-sla sada-sla-{}" title="{}" style="color: {}; font-weight: bold;'
            ' padding-inline: 0.25em; border-inline-start: 3px solid {}">{}</span>',
            state,
            label,
            SLA_STATE_COLOURS.get(state, "inherit"),
            SLA_STATE_COLOURS.get(state, "inherit"),
            text,
        )

    @admin.display(description=_("escalation"), ordering="escalation_level")
    def escalation(self, obj: Case) -> str:
        if not obj.escalation_level:
            return "—"
        if getattr(obj, "escalation_unacknowledged", False):
            state = gettext("not acknowledged")
            return format_html(
                '<span style="color: #ba2121">{} · {}</span>',
                gettext("L%(n)d") % {"n": obj.escalation_level},
                state,
            )
        return format_html(
            "{} · {}", gettext("L%(n)d") % {"n": obj.escalation_level}, gettext("acknowledged")
        )

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, obj: Case) -> str:
        return timesince(obj.created_at, getattr(obj, "sla_now", None) or timezone.now(), depth=1)

    @admin.display(description=_("agents' UI"))
    def agent_ui_link(self, obj: Case) -> str:
        return format_html(
            '<a href="/cases/{}/">{}</a>', obj.reference, gettext("Open in the agents' UI")
        )

    @admin.display(description=_("SLA state"))
    def sla_state_display(self, obj: Case) -> str:
        return str(SLA_STATE_LABELS.get(sla.sla_state(obj, timezone.now()), ""))

    @admin.display(description=_("first response on time"))
    def first_response_outcome(self, obj: Case) -> str:
        return met_text(obj.first_response_met)

    @admin.display(description=_("next responses on time"))
    def next_response_outcome(self, obj: Case) -> str:
        return met_text(obj.next_response_met)

    @admin.display(description=_("resolution on time"))
    def resolution_outcome(self, obj: Case) -> str:
        return met_text(obj.resolution_met)

    # --- Actions: one service call per case, each in its own transaction

    def _each(self, request, queryset, apply, done: str) -> None:
        """Apply `apply(case)` to each case; report what was done and what refused."""
        selected = list(queryset.select_related("queue").order_by("pk")[: MAX_ACTION_CASES + 1])
        if len(selected) > MAX_ACTION_CASES:
            self.message_user(
                request,
                gettext("Select at most %(n)d cases for one action.") % {"n": MAX_ACTION_CASES},
                messages.WARNING,
            )
            return
        for case in selected:
            before = case.version
            try:
                with transaction.atomic():
                    result = apply(case)
            except CaseError as error:
                self.message_user(
                    request,
                    gettext("%(ref)s: refused — %(why)s")
                    % {"ref": case.reference, "why": error_text(error)},
                    messages.WARNING,
                )
                continue
            unchanged = isinstance(result, Case) and result.version == before
            text = gettext("nothing to change") if unchanged else done
            level = messages.INFO if unchanged else messages.SUCCESS
            self.message_user(request, f"{case.reference}: {text}", level)

    def _ask(self, request, queryset, form_class, action: str, title: str):
        """The intermediate page of an action that needs input; returns the form's
        cleaned data once it is valid, else the page to render."""
        if "apply" in request.POST:
            form = form_class(request.POST)
            if form.is_valid():
                return form.cleaned_data
        else:
            form = form_class()
        selected = list(queryset.select_related("customer").order_by("pk")[:MAX_ACTION_CASES])
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "cases": selected,
            "action": action,
            "opts": self.model._meta,
            "case_page": request.POST.get("_case_page", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/cases/case/action_form.html", context)

    @admin.action(description=_("Take (assign to me)"), permissions=["change"])
    def take(self, request, queryset):
        user = request.user
        self._each(
            request,
            queryset,
            lambda case: services.case_assign(case=case, assignee=user, actor=user),
            gettext("assigned to you"),
        )

    @admin.action(description=_("Assign to…"), permissions=["change"])
    def assign_to(self, request, queryset):
        data = self._ask(request, queryset, AssignForm, "assign_to", gettext("Assign cases"))
        if not isinstance(data, dict):
            return data
        assignee = data["assignee"]
        self._each(
            request,
            queryset,
            lambda case: services.case_assign(case=case, assignee=assignee, actor=request.user),
            gettext("assigned to %(user)s") % {"user": assignee}
            if assignee
            else gettext("unassigned"),
        )

    @admin.action(description=_("Change queue…"), permissions=["change"])
    def change_queue(self, request, queryset):
        data = self._ask(request, queryset, QueueForm, "change_queue", gettext("Change queue"))
        if not isinstance(data, dict):
            return data
        self._each(
            request,
            queryset,
            lambda case: services.case_change_queue(
                case=case, queue=data["queue"], actor=request.user, reason=data["reason"]
            ),
            gettext("moved to %(queue)s") % {"queue": data["queue"]},
        )

    @admin.action(description=_("Set priority…"), permissions=["change"])
    def set_priority(self, request, queryset):
        data = self._ask(request, queryset, PriorityForm, "set_priority", gettext("Set priority"))
        if not isinstance(data, dict):
            return data
        self._each(
            request,
            queryset,
            lambda case: services.case_set_priority(
                case=case, priority=data["priority"], actor=request.user, reason=data["reason"]
            ),
            gettext("priority set to %(p)s") % {"p": data["priority"]},
        )

    @admin.action(description=_("Escalate…"), permissions=["change"])
    def escalate(self, request, queryset):
        data = self._ask(request, queryset, ReasonForm, "escalate", gettext("Escalate cases"))
        if not isinstance(data, dict):
            return data
        self._each(
            request,
            queryset,
            lambda case: sla_services.case_escalate(
                case=case, actor=request.user, reason=data["reason"]
            ),
            gettext("escalated"),
        )

    @admin.action(description=_("Acknowledge escalation"), permissions=["change"])
    def acknowledge_escalation(self, request, queryset):
        def acknowledge(case: Case):
            waiting = list(case.escalations.filter(acknowledged_at=None))
            if not waiting:
                raise CaseError(gettext("no escalation waiting for acknowledgement"))
            for escalation in waiting:
                sla_services.escalation_acknowledge(escalation=escalation, actor=request.user)

        self._each(request, queryset, acknowledge, gettext("escalation acknowledged"))

    @admin.action(description=_("Resolve"), permissions=["change"])
    def resolve(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda case: services.case_resolve(case=case, actor=request.user),
            gettext("resolved"),
        )

    @admin.action(description=_("Reopen"), permissions=["change"])
    def reopen(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda case: services.case_reopen(case=case, actor=request.user),
            gettext("reopened"),
        )

    @admin.action(description=_("Mark not a case…"), permissions=["change"])
    def mark_not_a_case(self, request, queryset):
        data = self._ask(
            request, queryset, ReasonForm, "mark_not_a_case", gettext("Mark not a case")
        )
        if not isinstance(data, dict):
            return data
        self._each(
            request,
            queryset,
            lambda case: services.case_mark_not_a_case(
                case=case, actor=request.user, reason=data["reason"]
            ),
            gettext("closed as not a case"),
        )

    @admin.action(description=_("Merge into…"), permissions=["change"])
    def merge(self, request, queryset):
        data = self._ask(request, queryset, MergeForm, "merge", gettext("Merge cases"))
        if not isinstance(data, dict):
            return data
        into = data["into"]
        self._each(
            request,
            queryset,
            lambda case: services.case_merge(case=case, into=into, actor=request.user),
            gettext("merged into %(into)s") % {"into": into.reference},
        )


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("handle", "name", "platform", "followers", "verified", "updated_at")
    search_fields = ("handle", "name", "external_id")
    list_filter = ("platform", "verified")
    readonly_fields = ("platform", "external_id", "first_seen_at", "updated_at")


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_en", "name_ar", "assignment_mode", "rating_on_resolve")
    filter_horizontal = ("members",)


class IncidentReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=_(
            "Sent to each customer of the incident's open cases. {customer_name}, "
            "{customer_handle} and {reference} are filled in per case; the reference is "
            "added when missing, as X refuses the same text twice."
        ),
    )


class IncidentCaseInline(admin.TabularInline):
    model = Case
    fk_name = "incident"
    fields = ("reference", "status", "priority", "customer", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Many reports of one happening; a supervisor answers them together."""

    list_display = ("key", "queue", "opened_at", "last_report_at", "is_open")
    list_filter = ("is_open", "queue")
    readonly_fields = ("key", "queue", "opened_at", "last_report_at")
    inlines = [IncidentCaseInline]
    actions = ["reply_to_all"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Answer every open case of the incident…"), permissions=["change"])
    def reply_to_all(self, request, queryset):
        incidents = list(queryset[:1])
        if len(queryset) != 1:
            self.message_user(request, gettext("Choose one incident."), messages.WARNING)
            return None
        incident = incidents[0]
        form = IncidentReplyForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("Answer the incident"),
                "form": form,
                "incident": incident,
                "cases": incident.cases.filter(status__in=Case.OPEN_STATUSES).select_related(
                    "customer"
                ),
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/cases/incident/reply_form.html", context)
        sent, refused = services.incident_reply(
            incident=incident, author=request.user, text=form.cleaned_data["text"]
        )
        self.message_user(
            request,
            gettext("%(count)d replies queued.") % {"count": len(sent)},
            messages.SUCCESS,
        )
        for reference, why in refused.items():
            self.message_user(
                request,
                gettext("%(ref)s: refused — %(why)s") % {"ref": reference, "why": why},
                messages.WARNING,
            )
        return None


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    """The audit log: read-only for everyone, superusers included."""

    list_display = ("created_at", "case", "kind", "actor", "actor_kind")
    list_filter = ("kind", "actor_kind")
    list_select_related = ("case", "actor")
    search_fields = ("case__reference",)
    show_full_result_count = False


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
from . import admin_api, admin_public, admin_routing, admin_sla, admin_ui  # noqa: E402,F401
