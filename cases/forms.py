"""Forms of the agents' UI. They validate input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Queue, User
from .selectors_ui import SLA_STATES, SORTS, InboxQuery

STATUS_FILTER = [
    ("active", _("Open (new, open, pending)")),
    ("new", pgettext_lazy("status", "new")),
    ("open", pgettext_lazy("status", "open")),
    ("pending", pgettext_lazy("status", "pending")),
    ("resolved", pgettext_lazy("status", "resolved")),
    ("closed", pgettext_lazy("status", "closed")),
    ("any", _("Any status")),
]
SLA_FILTER = [
    ("", _("Any SLA state")),
    ("ok", pgettext_lazy("sla state", "on time")),
    ("warning", pgettext_lazy("sla state", "due soon")),
    ("breached", pgettext_lazy("sla state", "overdue")),
    ("paused", pgettext_lazy("sla state", "paused")),
    ("met", pgettext_lazy("sla state", "met")),
]
SORT_CHOICES = [
    ("due", _("SLA due first")),
    ("priority", _("Priority")),
    ("newest", _("Newest")),
    ("oldest", _("Oldest")),
]
LANGUAGE_FILTER = [
    ("", _("Any language")),
    ("ar", _("Arabic")),
    ("en", _("English")),
    ("mixed", _("Mixed")),
    ("other", _("Other")),
]
PRIORITIES = [
    ("P1", _("P1 emergency")),
    ("P2", _("P2 high")),
    ("P3", _("P3 normal")),
    ("P4", _("P4 low")),
]
assert {s for s, _l in SORT_CHOICES} == set(SORTS)
assert {s for s, _l in SLA_FILTER if s} == set(SLA_STATES)


class InboxFilterForm(forms.Form):
    view = forms.CharField(required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER, required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Any priority")), *PRIORITIES], required=False
    )
    queue = forms.ChoiceField(label=_("Queue"), required=False)
    sla = forms.ChoiceField(label=_("SLA"), choices=SLA_FILTER, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_FILTER, required=False)
    account = forms.ChoiceField(label=_("Account"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)
    after = forms.CharField(required=False, max_length=500)
    n = forms.IntegerField(required=False, min_value=1, max_value=200)

    def __init__(self, *args, queues=(), accounts=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = [("", _("Any queue"))] + [(q.slug, str(q)) for q in queues]
        self.fields["account"].choices = [("", _("Any account"))] + [
            (str(a.pk), f"@{a.handle}") for a in accounts
        ]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Nobody")),
        ] + [(str(u.pk), str(u)) for u in people]

    def to_query(self, *, page_size: int) -> InboxQuery:
        """The query of this form; invalid fields fall back to their defaults."""
        self.is_valid()  # an invalid field is left out of cleaned_data: its default applies
        data = self.cleaned_data
        status = data.get("status") or "active"
        view = data.get("view") or ""
        queue = data.get("queue") or ""
        if view.startswith("queue:"):
            view, queue = "queue", view.split(":", 1)[1]
        account = data.get("account") or ""
        return InboxQuery(
            view=view if view in ("mine", "unassigned", "escalated", "all", "queue") else "",
            queue=queue,
            status=status,
            priority=data.get("priority") or "",
            sla=data.get("sla") or "",
            language=data.get("language") or "",
            account=int(account) if str(account).isdigit() else None,
            tag=(data.get("tag") or "").strip().lstrip("#"),
            assignee=data.get("assignee") or "",
            q=data.get("q") or "",
            sort=data.get("sort") or "",
            after=data.get("after") or "",
            limit=data.get("n") or page_size,
        )


class VersionedForm(forms.Form):
    """Every change carries the version of the case the agent was looking at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReplyForm(VersionedForm):
    text = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto", "data-weighted-counter": ""}),
        strip=False,
    )
    # Public status link (cases/public_services.py): replaces {status_link} or is appended.
    status_link = forms.BooleanField(label=_("Add a status link"), required=False)


class NoteForm(VersionedForm):
    text = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        max_length=10_000,
    )


class StatusForm(VersionedForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("open", pgettext_lazy("status", "open")),
            ("pending", _("pending (waiting on the customer)")),
            ("resolved", pgettext_lazy("status", "resolved")),
            ("closed", pgettext_lazy("status", "closed")),
        ],
    )
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class NotACaseForm(VersionedForm):
    reason = forms.CharField(label=_("Why it is not a case"), max_length=500)


class PriorityForm(VersionedForm):
    priority = forms.ChoiceField(label=_("Priority"), choices=PRIORITIES)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class QueueForm(VersionedForm):
    queue = forms.ModelChoiceField(
        label=_("Queue"), queryset=Queue.objects.all(), to_field_name="slug"
    )
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class TagsForm(VersionedForm):
    tags = forms.CharField(
        label=_("Add tags"),
        max_length=300,
        help_text=_("Separate tags with commas."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data["tags"].replace("،", ",")
        tags = [t.strip() for t in raw.split(",") if t.strip()]
        if not tags:
            raise forms.ValidationError(_("Give at least one tag."))
        return tags


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["assignee"].queryset = candidates


class EscalateForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why escalate"), max_length=500, widget=forms.TextInput(attrs={"dir": "auto"})
    )


class MergeForm(VersionedForm):
    into = forms.CharField(
        label=_("Merge into case"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "C-2026-000123", "dir": "ltr"}),
    )

    def clean_into(self) -> str:
        return self.cleaned_data["into"].strip().upper()


BULK_ACTIONS = [
    ("assign_me", _("Assign to me")),
    ("assign", _("Assign to…")),
    ("queue", _("Move to queue…")),
    ("tag", _("Add tag…")),
    ("resolve", _("Resolve")),
    ("not_a_case", _("Mark not a case…")),
]


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTIONS)
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    queue = forms.ModelChoiceField(
        queryset=Queue.objects.all(), to_field_name="slug", required=False
    )
    tag = forms.CharField(required=False, max_length=50)
    reason = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["assignee"].queryset = candidates

    def clean(self):
        data = super().clean()
        action = data.get("action")
        required = {"assign": "assignee", "queue": "queue", "tag": "tag", "not_a_case": "reason"}
        if action in required and not data.get(required[action]):
            self.add_error(required[action], _("This action needs a value."))
        return data
