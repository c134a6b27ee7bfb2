"""The REST API. Thin: check access, validate, call ONE service, render.

Every case is read through `auth.cases_for` (which is `visible_cases`, narrowed
for a queue-restricted key): a case the caller may not see is a 404 on every
endpoint and action, exactly like one that does not exist.
"""

from __future__ import annotations

import functools
import re

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import is_list_serializer
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services, sla_services
from ..exceptions import InvalidTransition, StaleCase
from ..models import Case, CaseEvent, Escalation, Message, User
from ..selectors_sla import alias_sla_state
from . import auth
from . import serializers as s
from .compiled import CompiledQuery
from .filters import (
    CASE_LIST_PARAMETERS,
    ORDERINGS,
    PAGE_PARAMETERS,
    CaseListQuery,
    CustomerListQuery,
    PageQuery,
    case_rows,
    filter_cases,
    ordering_of,
)
from .pagination import Key, paginate
from .parsers import check_body_size

# Anything else names no case (and never reaches the database: a NUL byte would).
REFERENCE_SHAPE = re.compile(r"^C-[0-9]{4}-[0-9]{6,12}$")
REFERENCE = OpenApiParameter(
    "reference",
    str,
    OpenApiParameter.PATH,
    description="The case reference, e.g. C-2026-000123.",
    pattern=r"^C-[0-9]{4}-[0-9]{6,12}$",
)


def _error(description: str, serializer=s.ErrorSerializer) -> OpenApiResponse:
    return OpenApiResponse(serializer, description=description)


E400 = _error("Invalid input (`invalid_input`, with `errors` per field) or a domain refusal.")
E401 = _error("Not authenticated, or an invalid, expired or revoked API key.")
E403 = _error("Missing scope, or the action is not permitted to you (`not_permitted`).")
E404 = _error(
    "No such case, or not one you may see (`not_found`); or a user, case or escalation "
    "named in the body does not exist or is out of your reach."
)
E404_LIST = _error("The cursor is not one this API gave (`invalid_cursor`).")
E404_PAGE = _error(
    "No such case, or not one you may see (`not_found`); or an invalid cursor (`invalid_cursor`)."
)
E409 = _error(
    "The case changed since `expected_version` (`stale_case`), or cannot make this move "
    "(`invalid_transition`); `current` holds the case as it is now.",
    s.StaleCaseErrorSerializer,
)
E413 = _error("The request body is too large (`request_too_large`).")
E415 = _error("Send `Content-Type: application/json` (`unsupported_media_type`).")
E429 = _error("Too many requests (`throttled`); see Retry-After.")

READ_ERRORS = {401: E401, 403: E403, 429: E429}
LIST_ERRORS = {400: E400, 404: E404_LIST, **READ_ERRORS}
DETAIL_ERRORS = {404: E404, **READ_ERRORS}
ACTION_ERRORS = {400: E400, 404: E404, 409: E409, 413: E413, 415: E415, **READ_ERRORS}

MESSAGE_KEYS = (Key("created_at", datetime=True), Key("id"))

ID_KEYS = (Key("id", True),)


def _case_messages(case_id: int):
    return (
        Message.objects.filter(case_id=case_id)
        .order_by("created_at", "id")
        .values_list(*s.MESSAGE_FIELDS)
    )


# A case detail's messages: the same statement for every case, compiled once.
_CASE_MESSAGES = CompiledQuery(_case_messages, case_id=int)


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@functools.cache
def _no_parameters(serializer_class) -> dict:
    """What a query string without parameters validates to (the defaults): the same
    every time, and the most common list request (a client polling the first page)."""
    return _validated(serializer_class, QueryDict())


def _validated_query(serializer_class, query_params) -> dict:
    if not query_params:
        return dict(_no_parameters(serializer_class))
    return _validated(serializer_class, query_params)


def _page_response(page, serializer_class, context: dict | None = None) -> Response:
    return Response(
        {
            "next": page.next,
            "previous": page.previous,
            "results": serializer_class(page.results, many=True, context=context or {}).data,
        }
    )


class ExplicitSchema(AutoSchema):
    """Responses are documented exactly as declared: a paginated list is an object
    (next, previous, results), not an array drf-spectacular would wrap it in."""

    def _is_list_view(self, serializer=None) -> bool:
        if serializer is None:
            serializer = self.get_response_serializers()
        if isinstance(serializer, dict) and serializer:
            by_code = {str(code): value for code, value in serializer.items()}
            serializer = by_code[min(by_code)]
        return is_list_serializer(serializer)

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(serializer, s.StrictSerializer):
            schema["additionalProperties"] = False
        return schema


class ApiViewMixin:
    """Refuse an oversized body (413) before authenticating or reading it."""

    schema = ExplicitSchema()

    def initial(self, request, *args, **kwargs):
        check_body_size(request)
        super().initial(request, *args, **kwargs)


@extend_schema(tags=["cases"])
@extend_schema_view(
    list=extend_schema(
        operation_id="cases_list",
        summary="List cases",
        description="The cases you may see, one page at a time (cursor pagination: follow "
        "`next`). Every row has the same fields as the detail, without messages.",
        parameters=CASE_LIST_PARAMETERS,
        responses={200: s.CasePageSerializer, **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="A case, with its messages",
        parameters=[REFERENCE],
        responses={200: s.CaseDetailSerializer, **DETAIL_ERRORS},
    ),
)
class CaseViewSet(ApiViewMixin, viewsets.GenericViewSet):
    serializer_class = s.CaseSerializer
    lookup_field = "reference"
    lookup_value_regex = r"[^/]+"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Case]:
        return auth.cases_for(self.request)

    def _case(self, reference: str) -> Case:
        case = None
        if REFERENCE_SHAPE.match(reference):
            case = self.get_queryset().filter(reference=reference).first()
        if case is None:
            raise NotFound(f"No case {reference} that you can see.")
        return case

    def _row(self, pk: int) -> Case:
        # Not narrowed by visibility: the caller could see the case when acting on
        # it, and sees the outcome even if it moved out of reach (e.g. a P1 lowered).
        return case_rows(Case.objects.filter(pk=pk), now=timezone.now())[0]

    def list(self, request):
        params = _validated_query(CaseListQuery, request.query_params)
        now = timezone.now()
        cases = self.get_queryset()
        if params.get("sla_state"):
            # Rows shown get sla_state in Python (case_rows_data); the SQL reading
            # is only added for the filter (compiling it cost more than the query).
            cases = alias_sla_state(cases, now)
        cases = filter_cases(cases, params, user=auth.actor(request))
        ordering = ordering_of(params)
        page = paginate(
            cases.values_list(*s.ROW_FIELDS, named=True),
            request,
            ordering=ordering,
            keys=ORDERINGS[ordering],
            page_size=params["page_size"],
            cursor=params.get("cursor"),
        )
        return Response(
            {
                "next": page.next,
                "previous": page.previous,
                "results": s.case_rows_data(page.results, now),
            }
        )

    def retrieve(self, request, reference: str):
        if not REFERENCE_SHAPE.match(reference):
            raise NotFound(f"No case {reference} that you can see.")
        now = timezone.now()
        rows = (
            self.get_queryset().filter(reference=reference).values_list(*s.ROW_FIELDS, named=True)
        )
        row = next(iter(rows[:1]), None)
        if row is None:
            raise NotFound(f"No case {reference} that you can see.")
        data = s.case_rows_data([row], now)[0]
        messages = _CASE_MESSAGES.rows(case_id=row.id)
        data["messages"] = [s.message_row(s.MessageRow(*message)) for message in messages]
        return Response(data)

    @extend_schema(
        summary="A case's messages",
        description="Customer posts, our replies and internal notes, oldest first.",
        parameters=[REFERENCE, *PAGE_PARAMETERS],
        responses={200: s.MessagePageSerializer, 400: E400, **DETAIL_ERRORS, 404: E404_PAGE},
    )
    @action(detail=True, methods=["get"])
    def messages(self, request, reference: str):
        case = self._case(reference)
        rows = Message.objects.filter(case=case).select_related("author")
        return self._oldest_first_page(request, rows, s.MessageSerializer)

    @extend_schema(
        summary="A case's audit events",
        description="Every change of the case, oldest first, in machine values.",
        parameters=[REFERENCE, *PAGE_PARAMETERS],
        responses={200: s.CaseEventPageSerializer, 400: E400, **DETAIL_ERRORS, 404: E404_PAGE},
    )
    @action(detail=True, methods=["get"])
    def events(self, request, reference: str):
        case = self._case(reference)
        rows = CaseEvent.objects.filter(case=case).select_related("actor")
        return self._oldest_first_page(request, rows, s.CaseEventSerializer)

    def _oldest_first_page(self, request, rows, serializer):
        """One cursor page of a case's messages or events, oldest first."""
        params = _validated(PageQuery, request.query_params)
        page = paginate(
            rows,
            request,
            ordering="created",
            keys=MESSAGE_KEYS,
            page_size=params["page_size"],
            cursor=params.get("cursor"),
        )
        return _page_response(page, serializer)

    # --- Actions: each calls one service ------------------------------------------

    def _act(self, case: Case, call) -> Case:
        """Run a service on a visible case. A 409 carries the case as it is now."""
        try:
            call(case)
        except (StaleCase, InvalidTransition) as exc:
            exc.context["current"] = s.CaseSerializer(self._row(case.pk)).data
            raise
        return self._row(case.pk)

    def _who(self) -> dict:
        return {"actor": auth.actor(self.request), "actor_kind": auth.actor_kind(self.request)}

    @extend_schema(
        summary="Assign (or unassign) a case",
        description="An agent may assign only to themselves; a supervisor to any member "
        "of the case's queue (or a supervisor). A new case becomes open.",
        parameters=[REFERENCE],
        request=s.AssignInput,
        responses={200: s.CaseSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, reference: str):
        case = self._case(reference)  # an outsider gets 404 before anything else
        data = _validated(s.AssignInput, request.data)
        assignee = None
        if data["assignee"] is not None:
            assignee = User.objects.filter(username=data["assignee"], is_active=True).first()
            if assignee is None:
                raise NotFound(f"No active user {data['assignee']!r}.")
        case = self._act(
            case,
            lambda case: services.case_assign(
                case=case,
                assignee=assignee,
                expected_version=data.get("expected_version"),
                **self._who(),
            ),
        )
        return Response(s.CaseSerializer(case).data)

    @extend_schema(
        summary="Take the next case",
        description="Assigns to you the most urgent unassigned open case of your queues "
        "(P1 first, then earliest due). Two callers never get the same case. With an API "
        "key: the key's creator takes it; not available to queue-restricted keys or "
        "keys made in the shell.",
        request=s.TakeNextInput,
        responses={
            200: s.CaseSerializer,
            404: _error("No unassigned case is waiting in your queues (`nothing_to_take`)."),
            400: E400,
            413: E413,
            415: E415,
            **READ_ERRORS,
        },
    )
    @action(detail=False, methods=["post"], url_path="take-next")
    def take_next(self, request):
        _validated(s.TakeNextInput, request.data if request.data else {})
        key = auth.api_key(request)
        agent = auth.actor(request)
        if agent is None or (key is not None and key.queue_id is not None):
            raise PermissionDenied(
                "Take-next assigns a case to a person: use a session, or a key created by "
                "an agent or supervisor without a queue restriction."
            )
        case = services.case_take_next(agent=agent)
        return Response(s.CaseSerializer(self._row(case.pk)).data)

    @extend_schema(
        summary="Reply to the customer",
        description="A public answer, as the institution. Queued for delivery to the "
        "platform (see the message's `delivery`); refused when X would refuse the text.",
        parameters=[REFERENCE],
        request=s.ReplyInput,
        responses={201: s.ReplyResultSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, reference: str):
        case = self._case(reference)  # an outsider gets 404 before anything else
        data = _validated(s.ReplyInput, request.data)
        made = {}

        def call(case):
            made["message"] = services.case_reply(
                case=case,
                author=auth.actor(request),
                text=data["text"],
                expected_version=data.get("expected_version"),
                actor_kind=auth.actor_kind(request),
            )

        case = self._act(case, call)
        return Response(
            {
                "message": s.MessageSerializer(made["message"]).data,
                "case": s.CaseSerializer(case).data,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Add an internal note",
        description="Never leaves Sada.",
        parameters=[REFERENCE],
        request=s.TextInput,
        responses={201: s.ReplyResultSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def note(self, request, reference: str):
        case = self._case(reference)  # an outsider gets 404 before anything else
        data = _validated(s.TextInput, request.data)
        made = {}

        def call(case):
            made["message"] = services.case_add_note(
                case=case,
                author=auth.actor(request),
                text=data["text"],
                expected_version=data.get("expected_version"),
            )

        case = self._act(case, call)
        return Response(
            {
                "message": s.MessageSerializer(made["message"]).data,
                "case": s.CaseSerializer(case).data,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Change the priority",
        description="A reason is required and kept in the audit log. A key made in the "
        "shell acts as the system, which may only raise a priority.",
        parameters=[REFERENCE],
        request=s.SetPriorityInput,
        responses={200: s.CaseSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="set-priority")
    def set_priority(self, request, reference: str):
        case = self._case(reference)  # an outsider gets 404 before anything else
        data = _validated(s.SetPriorityInput, request.data)
        case = self._act(
            case,
            lambda case: services.case_set_priority(
                case=case,
                priority=data["priority"],
                reason=data["reason"],
                expected_version=data.get("expected_version"),
                **self._who(),
            ),
        )
        return Response(s.CaseSerializer(case).data)

    @extend_schema(
        summary="Resolve a case",
        parameters=[REFERENCE],
        request=s.ResolveInput,
        responses={200: s.CaseSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, reference: str):
        case = self._case(reference)  # an outsider gets 404 before anything else
        data = _validated(s.ResolveInput, request.data)
        case = self._act(
            case,
            lambda case: services.case_resolve(
                case=case,
                resolution=data["resolution"],
                expected_version=data.get("expected_version"),
                **self._who(),
            ),
        )
        return Response(s.CaseSerializer(case).data)

    @extend_schema(
        summary="Reopen a resolved or closed case",
        description="Reopening a closed case takes a supervisor.",
        parameters=[REFERENCE],
        request=s.VersionedInput,
        responses={200: s.CaseSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, reference: str):
        case = self._case(reference)  # an outsider gets 404 before anything else
        data = _validated(s.VersionedInput, request.data)
        case = self._act(
            case,
            lambda case: services.case_reopen(
                case=case, expected_version=data.get("expected_version"), **self._who()
            ),
        )
        return Response(s.CaseSerializer(case).data)

    @extend_schema(
        summary="Close as not a case",
        description="Spam, noise, a plain thanks: closed with the reason, never deleted.",
        parameters=[REFERENCE],
        request=s.ReasonInput,
        responses={200: s.CaseSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="mark-not-a-case")
    def mark_not_a_case(self, request, reference: str):
        case = self._case(reference)  # an outsider gets 404 before anything else
        data = _validated(s.ReasonInput, request.data)
        case = self._act(
            case,
            lambda case: services.case_mark_not_a_case(
                case=case,
                reason=data["reason"],
                expected_version=data.get("expected_version"),
                **self._who(),
            ),
        )
        return Response(s.CaseSerializer(case).data)

    def _person(self) -> User:
        user = auth.actor(self.request)
        if user is None:
            raise PermissionDenied(
                "This action is taken by a person: use a session, or a key created by one."
            )
        return user

    @extend_schema(
        summary="Escalate a case",
        description="By hand, with a reason: the case goes one level up and the queue's "
        "supervisors are notified. The case's team or a supervisor; a key made in the "
        "shell (no user) cannot escalate.",
        parameters=[REFERENCE],
        request=s.ReasonInput,
        responses={201: s.EscalationResultSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, reference: str):
        case = self._case(reference)  # an outsider gets 404 before anything else
        data = _validated(s.ReasonInput, request.data)
        person = self._person()
        made = {}

        def call(case):
            made["escalation"] = sla_services.case_escalate(
                case=case,
                actor=person,
                reason=data["reason"],
                expected_version=data.get("expected_version"),
            )

        case = self._act(case, call)
        return Response(
            {
                "escalation": s.EscalationSerializer(made["escalation"]).data,
                "case": s.CaseSerializer(case).data,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Acknowledge an escalation",
        description="A supervisor takes note of an escalation of this case (the latest "
        "unacknowledged one unless `escalation` names one). Acknowledging again changes "
        "nothing. 409 when the case has no unacknowledged escalation.",
        parameters=[REFERENCE],
        request=s.AcknowledgeInput,
        responses={200: s.EscalationResultSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, reference: str):
        case = self._case(reference)  # an outsider gets 404 before anything else
        data = _validated(s.AcknowledgeInput, request.data)
        person = self._person()
        escalations = Escalation.objects.filter(case=case)
        if data.get("escalation") is not None:
            escalation = escalations.filter(pk=data["escalation"]).first()
            if escalation is None:
                raise NotFound(f"No escalation {data['escalation']} of this case.")
        else:
            escalation = (
                escalations.filter(acknowledged_at__isnull=True)
                .order_by("-created_at", "-id")
                .first()
            )
        made = {}

        def call(case):
            # Acknowledging changes the escalation, not the case: the version is
            # checked here, and the service is idempotent.
            expected = data.get("expected_version")
            if expected is not None and case.version != expected:
                raise StaleCase(
                    "The case changed since you loaded it.",
                    reference=case.reference,
                    version=case.version,
                    status=case.status,
                )
            if escalation is None:
                raise InvalidTransition(
                    "This case has no unacknowledged escalation.", reference=case.reference
                )
            made["escalation"] = sla_services.escalation_acknowledge(
                escalation=escalation, actor=person
            )

        case = self._act(case, call)
        return Response(
            {
                "escalation": s.EscalationSerializer(made["escalation"]).data,
                "case": s.CaseSerializer(case).data,
            }
        )

    @extend_schema(
        summary="Merge this case into another",
        description="Both must be open cases of the same customer. Messages move to the "
        "case kept (`into`), which is returned; this one closes as merged. "
        "`expected_version` is this case's.",
        parameters=[REFERENCE],
        request=s.MergeInput,
        responses={200: s.CaseSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, reference: str):
        case = self._case(reference)  # an outsider gets 404 before anything else
        data = _validated(s.MergeInput, request.data)
        into = self.get_queryset().filter(reference=data["into"]).first()
        if into is None:
            raise NotFound(f"No case {data['into']} that you can see to merge into.")
        self._act(
            case,
            lambda case: services.case_merge(
                case=case,
                into=into,
                expected_version=data.get("expected_version"),
                **self._who(),
            ),
        )
        return Response(s.CaseSerializer(self._row(into.pk)).data)


@extend_schema(tags=["customers"])
@extend_schema_view(
    list=extend_schema(
        operation_id="customers_list",
        summary="List customers",
        description="People and organisations who wrote a case you may see, newest first.",
        parameters=[
            OpenApiParameter(
                "search",
                {"type": "string", "maxLength": 200, "pattern": r"^[^\x00]*$"},
                description="A handle (exact) or part of a name.",
            ),
            *PAGE_PARAMETERS,
        ],
        responses={200: s.CustomerPageSerializer, **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="A customer",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={200: s.CustomerSerializer, **DETAIL_ERRORS},
    ),
)
class CustomerViewSet(ApiViewMixin, viewsets.GenericViewSet):
    serializer_class = s.CustomerSerializer
    pagination_class = None
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return auth.customers_for(self.request)

    def list(self, request):
        params = _validated(CustomerListQuery, request.query_params)
        customers = self.get_queryset()
        search = params.get("search", "").strip()
        if search:
            from django.db.models import Q

            customers = customers.filter(
                Q(handle__iexact=search.lstrip("@")) | Q(name__icontains=search)
            )
        page = paginate(
            customers,
            request,
            ordering="-id",
            keys=ID_KEYS,
            page_size=params["page_size"],
            cursor=params.get("cursor"),
        )
        return _page_response(page, s.CustomerSerializer)

    def retrieve(self, request, pk: str):
        customer = self.get_queryset().filter(pk=int(pk)).first()
        if customer is None:
            raise NotFound("No such customer that you can see.")
        return Response(s.CustomerSerializer(customer).data)


@extend_schema(tags=["queues"])
@extend_schema_view(
    list=extend_schema(
        operation_id="queues_list",
        summary="List queues",
        description="Every queue for supervisors; an agent's own queues; a "
        "queue-restricted key's one queue.",
        responses={200: s.QueueSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="A queue",
        parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH)],
        responses={200: s.QueueSerializer, **DETAIL_ERRORS},
    ),
)
class QueueViewSet(ApiViewMixin, viewsets.GenericViewSet):
    serializer_class = s.QueueSerializer
    pagination_class = None
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return auth.queues_for(self.request).order_by("slug")

    def list(self, request):
        return Response(s.QueueSerializer(self.get_queryset(), many=True).data)

    def retrieve(self, request, slug: str):
        queue = self.get_queryset().filter(slug=slug).first()
        if queue is None:
            raise NotFound("No such queue that you can see.")
        return Response(s.QueueSerializer(queue).data)


class WhoAmIView(ApiViewMixin, APIView):
    @extend_schema(
        tags=["auth"],
        summary="Who am I",
        description="The user and API key this request is authenticated as.",
        responses={200: s.WhoAmISerializer, **READ_ERRORS},
    )
    def get(self, request):
        key = auth.api_key(request)
        user = auth.actor(request)
        return Response(
            {
                "user": s.UserRefSerializer(user).data if user else None,
                "api_key": key.prefix if key else None,
                "scopes": list(key.scopes) if key else ["read", "act"],
                "queue": key.queue.slug if key and key.queue_id else None,
                "supervisor": auth.is_supervisor(request),
            }
        )


def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/: a JSON 404 in the API's error shape."""
    from django.http import JsonResponse

    return JsonResponse({"code": "not_found", "detail": "No such API endpoint."}, status=404)
