"""What the API shows and accepts. Output serializers are read-only; input
serializers accept exactly their fields: an unknown field is a 400, never
silently ignored. No serializer changes a case: the views call the services."""

from __future__ import annotations

from collections import namedtuple
from datetime import UTC

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import sla
from ..models import Case, CaseEvent, Customer, Escalation, Message, Queue, User

SLA_STATES = ("ok", "warning", "breached", "paused", "met")


# What the schema says of strings: no NUL character (DRF refuses it) and, for texts,
# at least one visible character.
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"


class StrictCharField(serializers.CharField):
    """A JSON string, not anything that can be turned into one (0 is not "0")."""

    def __init__(self, *, pattern: str = NO_NUL, **kwargs):
        kwargs.setdefault("validators", [])
        kwargs["validators"] = [*kwargs["validators"], RegexValidator(pattern)]
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: not "5", not 5.0, not true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo is an error and not a no-op
    (documented as additionalProperties: false)."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ["Send a JSON object."]}, code="invalid"
            )
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: ["Unknown field."] for name in unknown}, code="unknown_field"
            )
        return super().to_internal_value(data)


# --- Output ---------------------------------------------------------------------


class UTCDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC ("...Z") whatever zone the web UI activated for the request."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default_timezone", UTC)
        super().__init__(*args, **kwargs)


# One instance for the hand-built rows (case_row, MessageSerializer).
_DATETIME = UTCDateTimeField(read_only=True)


def _utc(value) -> str | None:
    """UTCDateTimeField's output ("...Z") for a value read from the database (aware):
    the same string without the field's generic checks, a dozen per row."""
    if value is None:
        return None
    if value.utcoffset() is None:  # naive: the field's own rules
        return _DATETIME.to_representation(value)
    return value.astimezone(UTC).isoformat()[:-6] + "Z"


# What a case row (case_row) shows and reads for sla_state (sla.sla_state), as
# `values_list(*ROW_FIELDS, named=True)` names them: the API's case list and detail
# read these values, never model objects (building a Case, its queue, assignee and
# customer per row was a third of the list's CPU; bench api_load). The sort keys of
# every list ordering (filters.ORDERINGS) are among them.
ROW_FIELDS = (
    "id",
    "reference",
    "status",
    "priority",
    "priority_reasons",
    "queue__slug",
    "category",
    "assignee_id",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "customer_id",
    "customer__platform",
    "customer__handle",
    "customer__name",
    "customer__followers",
    "customer__verified",
    "account__handle",
    "channel",
    "language",
    "tags",
    "resolution",
    "created_at",
    "updated_at",
    "first_response_due",
    "next_response_due",
    "resolution_due",
    "first_responded_at",
    "resolved_at",
    "closed_at",
    "first_response_warn_at",
    "next_response_warn_at",
    "resolution_warn_at",
    "resolution_running_since",
    "first_response_met",
    "next_response_met",
    "resolution_met",
    "escalation_level",
    "merged_into_id",
    "version",
)
CaseRow = namedtuple("CaseRow", ROW_FIELDS)

# The same for a message (message_row), which the case detail reads as values too.
MESSAGE_FIELDS = (
    "id",
    "direction",
    "channel",
    "author__username",
    "text",
    "platform_id",
    "in_reply_to_id",
    "conversation_id",
    "withheld",
    "created_at",
    "received_at",
    "delivery",
    "delivery_error",
    "delivery_attempts",
    "delivered_at",
)
MessageRow = namedtuple("MessageRow", MESSAGE_FIELDS)


def _row_of(obj, row_class):
    """The values a row class names (`a__b` follows a relation) of a loaded object."""
    values = []
    for name in row_class._fields:
        value = obj
        for part in name.split("__"):
            value = getattr(value, part)
            if value is None:
                break
        values.append(value)
    return row_class(*values)


def case_row_of(case: Case) -> CaseRow:
    """The ROW_FIELDS of a loaded case (relations as loaded: `case_rows` selects them)."""
    return _row_of(case, CaseRow)


def message_row(row) -> dict:
    """A message as the API shows it (MessageSerializer's fields), from a row of
    MESSAGE_FIELDS; built directly, as case_row."""
    return {
        "id": row.id,
        "direction": row.direction,
        "channel": row.channel,
        "author": row.author__username,
        "text": row.text,
        "platform_id": row.platform_id,
        "in_reply_to_id": row.in_reply_to_id,
        "conversation_id": row.conversation_id,
        "withheld": row.withheld,
        "created_at": _utc(row.created_at),
        "received_at": _utc(row.received_at),
        "delivery": row.delivery,
        "delivery_error": row.delivery_error,
        "delivery_attempts": row.delivery_attempts,
        "delivered_at": _utc(row.delivered_at),
    }


def case_row(row, sla_state: str, merged_into: str | None) -> dict:
    """A case as the API shows it (CaseSerializer's fields, in order), from a row
    of ROW_FIELDS and the reference of the case it was merged into. Built directly: DRF's generic field loop (a field object,
    `get_attribute` and `to_representation` per value, nested serializers per
    relation) was most of the list's CPU. Same keys, same formats: tests compare
    it with `ModelSerializer.to_representation`."""
    return {
        "reference": row.reference,
        "url": f"/api/v1/cases/{row.reference}/",
        "status": row.status,
        "priority": row.priority,
        "priority_reasons": [str(r) for r in row.priority_reasons or ()],
        "queue": row.queue__slug,
        "category": row.category,
        "assignee": None
        if row.assignee_id is None
        else {
            "id": row.assignee_id,
            "username": row.assignee__username,
            # User.get_full_name(), or the username
            "name": f"{row.assignee__first_name} {row.assignee__last_name}".strip()
            or row.assignee__username,
        },
        "customer": None
        if row.customer_id is None
        else {
            "id": row.customer_id,
            "platform": row.customer__platform,
            "handle": row.customer__handle,
            "name": row.customer__name,
            "followers": row.customer__followers,
            "verified": row.customer__verified,
        },
        "account": row.account__handle,
        "channel": row.channel,
        "language": row.language,
        "tags": [str(t) for t in row.tags or ()],
        "resolution": row.resolution,
        "created_at": _utc(row.created_at),
        "updated_at": _utc(row.updated_at),
        "first_response_due": _utc(row.first_response_due),
        "next_response_due": _utc(row.next_response_due),
        "resolution_due": _utc(row.resolution_due),
        "first_responded_at": _utc(row.first_responded_at),
        "resolved_at": _utc(row.resolved_at),
        "closed_at": _utc(row.closed_at),
        "sla_state": sla_state,
        "escalation_level": row.escalation_level,
        "merged_into": merged_into,
        "version": row.version,
    }


def case_rows_data(rows, now) -> list[dict]:
    """`case_row` of each row, its sla_state read in Python at `now` (sla.sla_state).

    The references of merge targets take one more query, only when a row has one:
    joining the case table to itself in every list query tripled PostgreSQL's
    planning time of the page (bench api_load)."""
    merged_ids = {row.merged_into_id for row in rows if row.merged_into_id is not None}
    merged = (
        dict(Case.objects.filter(pk__in=merged_ids).values_list("id", "reference"))
        if merged_ids
        else {}
    )
    return [case_row(row, sla.sla_state(row, now), merged.get(row.merged_into_id)) for row in rows]


class OutputSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UTCDateTimeField,
    }


class UserRefSerializer(OutputSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name"]
        read_only_fields = fields

    def get_name(self, user: User) -> str:
        return user.get_full_name() or user.username


class CustomerRefSerializer(OutputSerializer):
    class Meta:
        model = Customer
        fields = ["id", "platform", "handle", "name", "followers", "verified"]
        read_only_fields = fields


class CustomerSerializer(OutputSerializer):
    class Meta:
        model = Customer
        fields = [
            "id",
            "platform",
            "external_id",
            "handle",
            "name",
            "followers",
            "verified",
            "first_seen_at",
            "updated_at",
        ]
        read_only_fields = fields


class QueueSerializer(OutputSerializer):
    class Meta:
        model = Queue
        fields = ["slug", "name_en", "name_ar", "assignment_mode"]
        read_only_fields = fields


class MessageSerializer(OutputSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "channel",
            "author",
            "text",
            "platform_id",
            "in_reply_to_id",
            "conversation_id",
            "withheld",
            "created_at",
            "received_at",
            "delivery",
            "delivery_error",
            "delivery_attempts",
            "delivered_at",
        ]
        read_only_fields = fields

    def to_representation(self, message: Message) -> dict:
        """Through message_row, as the case detail: DRF builds the fields of a
        ModelSerializer from the model on every request, even for an empty list.
        Tests compare this with `ModelSerializer.to_representation`."""
        return message_row(_row_of(message, MessageRow))


class CaseEventSerializer(OutputSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    data = serializers.DictField(
        read_only=True, help_text="Machine values of the event (codes, ids, seconds)."
    )

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "actor_kind", "data", "created_at"]
        read_only_fields = fields


class CaseSerializer(OutputSerializer):
    """A case as a list row. Every field is read-only: cases change only through
    the action endpoints, which call the services."""

    queue = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    customer = CustomerRefSerializer(read_only=True, allow_null=True)
    account = serializers.SlugRelatedField(slug_field="handle", read_only=True, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    priority_reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    merged_into = serializers.SlugRelatedField(
        slug_field="reference", read_only=True, allow_null=True
    )
    sla_state = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "reference",
            "url",
            "status",
            "priority",
            "priority_reasons",
            "queue",
            "category",
            "assignee",
            "customer",
            "account",
            "channel",
            "language",
            "tags",
            "resolution",
            "created_at",
            "updated_at",
            "first_response_due",
            "next_response_due",
            "resolution_due",
            "first_responded_at",
            "resolved_at",
            "closed_at",
            "sla_state",
            "escalation_level",
            "merged_into",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "string",
            "enum": list(SLA_STATES),
            "description": "ok, warning (due soon), breached, paused (waiting on the "
            "customer) or met (answered/resolved in time).",
        }
    )
    def get_sla_state(self, case: Case) -> str:
        state = getattr(case, "sla_state", None)
        if state is None:  # not annotated: the Python reading of the same rule
            state = sla.sla_state(case, self.context.get("now") or timezone.now())
        return state

    def get_url(self, case: Case) -> str:
        return f"/api/v1/cases/{case.reference}/"

    def to_representation(self, case: Case) -> dict:
        """A loaded case through the same `case_row` as the API's lists."""
        merged = case.merged_into.reference if case.merged_into_id else None
        return case_row(case_row_of(case), self.get_sla_state(case), merged)


class EscalationSerializer(OutputSerializer):
    raised_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    acknowledged_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    actions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "level",
            "target",
            "trigger",
            "reason",
            "raised_by",
            "triggered_at",
            "created_at",
            "actions",
            "acknowledged_by",
            "acknowledged_at",
        ]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    messages = MessageSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "messages"]
        read_only_fields = fields

    def to_representation(self, case: Case) -> dict:
        data = super().to_representation(case)
        data["messages"] = MessageSerializer(many=True).to_representation(case.messages.all())
        return data


class PageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page; null on the last.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page, or null.")


def page_of(serializer_class, name: str):
    return type(
        name,
        (PageSerializer,),
        {"results": serializer_class(many=True, read_only=True), "__module__": __name__},
    )


CasePageSerializer = page_of(CaseSerializer, "CasePage")
MessagePageSerializer = page_of(MessageSerializer, "MessagePage")
CaseEventPageSerializer = page_of(CaseEventSerializer, "CaseEventPage")
CustomerPageSerializer = page_of(CustomerSerializer, "CustomerPage")


class ErrorSerializer(serializers.Serializer):
    """The shape of every error (4xx) answer."""

    code = serializers.CharField(help_text="Machine-readable, e.g. stale_case, not_found.")
    detail = serializers.CharField(help_text="A human message.")
    errors = serializers.DictField(
        required=False,
        help_text="On invalid_input: the messages of each field.",
    )

    class Meta:
        ref_name = "Error"


class StaleCaseErrorSerializer(ErrorSerializer):
    """409: the case changed (stale_case) or cannot make this move (invalid_transition)."""

    reference = serializers.CharField(required=False)
    version = serializers.IntegerField(required=False)
    status = serializers.CharField(required=False)
    current = CaseSerializer(required=False, help_text="The case as it is now.")

    class Meta:
        ref_name = "ConflictError"


class ReplyResultSerializer(serializers.Serializer):
    message = MessageSerializer()
    case = CaseSerializer()


class EscalationResultSerializer(serializers.Serializer):
    escalation = EscalationSerializer()
    case = CaseSerializer()


class WhoAmISerializer(serializers.Serializer):
    user = UserRefSerializer(allow_null=True)
    api_key = serializers.CharField(allow_null=True, help_text="The key's prefix.")
    scopes = serializers.ListField(child=serializers.CharField())
    queue = serializers.CharField(allow_null=True, help_text="A key's queue restriction.")
    supervisor = serializers.BooleanField()


# --- Input ------------------------------------------------------------------------


class VersionedInput(StrictSerializer):
    expected_version = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The `version` you last read; a 409 if the case changed since.",
    )


class AssignInput(VersionedInput):
    assignee = StrictCharField(
        allow_null=True,
        max_length=150,
        help_text="Username of the new assignee (a member of the case's queue or a "
        "supervisor), or null to unassign.",
    )


class TakeNextInput(StrictSerializer):
    pass


class TextInput(VersionedInput):
    text = StrictCharField(max_length=10_000, trim_whitespace=False, pattern=NOT_BLANK)


class ReplyInput(VersionedInput):
    text = StrictCharField(
        max_length=280,
        trim_whitespace=False,
        pattern=NOT_BLANK,
        help_text="At most 280 as X counts them (CJK and emoji weigh 2, a link 23); "
        "a longer or invalid text is refused with `weighted_length` and `limit`.",
    )


class ReasonInput(VersionedInput):
    reason = StrictCharField(max_length=500, pattern=NOT_BLANK)


class SetPriorityInput(ReasonInput):
    priority = serializers.ChoiceField(choices=Case.Priority.values)


class ResolveInput(VersionedInput):
    resolution = StrictCharField(
        max_length=20,
        pattern=r"^[a-z_]{1,20}$",
        required=False,
        default="answered",
        help_text="A machine code for how it was resolved (default `answered`).",
    )


class AcknowledgeInput(VersionedInput):
    escalation = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Id of the escalation; default: the case's latest unacknowledged one.",
    )


class MergeInput(VersionedInput):
    into = StrictCharField(max_length=20, help_text="Reference of the case to keep.")
