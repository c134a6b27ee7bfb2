"""Who may do what, for EVERY URL pattern of the project.

The resolver is walked: a URL pattern with no entry in MATRIX (or not a standard
ModelAdmin page, which ADMIN covers for every registered model) fails
`test_every_url_pattern_has_a_matrix_entry`. Adding an endpoint means deciding
here who may use it.

Personas: anonymous; `agent_a`, an agent of queue A ("general") acting on a case
of queue B ("complaints"); `key_a`, an API key (read, act) restricted to queue A,
sent to every URL (it must open nothing outside the API, and nothing of queue B
inside it); `supervisor`, in the Supervisors group and staff. The foreign case
carries a marker word: no denied persona's response may contain it or the case's
reference, and no denied request may change it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases import sla_services
from cases.models import Case, CaseEvent, Notification
from social_ingest.models import InboundChannel, SocialAccount
from tests.cases.api.conftest import make_key, open_case

pytestmark = pytest.mark.django_db

try:
    from cases.views_reports import TABLES as _REPORT_TABLES

    REPORT_TABLES = sorted(_REPORT_TABLES)
except ImportError:  # the reports are not there (yet): their routes are not either
    REPORT_TABLES = []

PERSONAS = ("anonymous", "key_a", "agent_a", "supervisor")  # supervisor last: may change things
MARKER = "zqxjkvmarker"

OK = "ok"  # 2xx, or a redirect that is not to a sign-in page
LOGIN = "login"  # redirected to the UI's sign-in page
ADMIN_LOGIN = "admin_login"  # redirected to the admin's sign-in page
ANY_PUBLIC = (200, 302, 400, 403, 404, 405, 409, 410, 503)  # public, answers the same for all


@dataclass
class Row:
    method: str
    url: Callable[[dict], str]
    expect: dict[str, object]
    data: Callable[[dict], dict] = field(default=lambda ctx: {})
    api: bool = False  # JSON body
    # Must the supervisor's (allowed) answer show the foreign case? A positive
    # control: without it a search that finds nothing would pass for "denied".
    shows_case: bool = False
    # A page meant for whoever holds its unguessable token (the customer's status link).
    for_token_holders: bool = False


def ui(agent=404, supervisor=OK, **more) -> dict:
    """A signed-in page: anonymous and an API key are sent to sign in."""
    return {"anonymous": LOGIN, "key_a": LOGIN, "agent_a": agent, "supervisor": supervisor, **more}


def api(agent=404, key=404, supervisor=OK, anonymous=401) -> dict:
    return {"anonymous": anonymous, "key_a": key, "agent_a": agent, "supervisor": supervisor}


def public(outcome=ANY_PUBLIC) -> dict:
    return dict.fromkeys(PERSONAS, outcome)


def ref(ctx) -> str:
    return ctx["case_b"].reference


def case_url(name: str, *extra) -> Callable[[dict], str]:
    return lambda ctx: reverse(name, args=[ref(ctx), *extra])


def api_case(action: str = "") -> Callable[[dict], str]:
    return lambda ctx: f"/api/v1/cases/{ref(ctx)}/{action + '/' if action else ''}"


UI_CASE_ACTIONS = {
    "reply": {"text": "hello"},
    "note": {"text": "internal"},
    "status": {"status": "resolved"},
    "not_a_case": {"reason": "spam"},
    "priority": {"priority": "P2", "reason": "x"},
    "queue": {"queue": "general", "reason": "x"},
    "tags": {"tags": "t1"},
    "assign": {},
    "escalate": {"reason": "stuck"},
    "merge": {},
}
API_CASE_ACTIONS = {
    "assign": lambda ctx: {"assignee": ctx["supervisor"].username},
    "reply": lambda ctx: {"text": "hello"},
    "note": lambda ctx: {"text": "internal"},
    "set-priority": lambda ctx: {"priority": "P2", "reason": "x"},
    "escalate": lambda ctx: {"reason": "stuck"},
    "acknowledge": lambda ctx: {},
    "resolve": lambda ctx: {},
    "reopen": lambda ctx: {},
    "mark-not-a-case": lambda ctx: {"reason": "spam"},
    "merge": lambda ctx: {"into": ctx["case_a"].reference},
}

# route (as the resolver prints it) -> the requests made to it and who gets what.
MATRIX: dict[str, list[Row]] = {
    "healthz": [Row("GET", lambda ctx: "/healthz", public((200,)))],
    "readyz": [Row("GET", lambda ctx: "/readyz", public((200, 503)))],
    # --- the agents' UI
    "": [
        Row("GET", lambda ctx: "/", ui(agent=OK), shows_case=True),
        Row("GET", lambda ctx: f"/?q={MARKER}", ui(agent=OK), shows_case=True),
        Row("GET", lambda ctx: f"/?q={ref(ctx)}", ui(agent=OK), shows_case=True),
        Row("GET", lambda ctx: "/?view=queue&queue=complaints", ui(agent=OK), shows_case=True),
        Row("GET", lambda ctx: "/?queue=complaints", ui(agent=OK), shows_case=True),
        Row("GET", lambda ctx: "/?partial=rows&queue=complaints", ui(agent=OK), shows_case=True),
    ],
    "take-next/": [Row("POST", lambda ctx: "/take-next/", ui(agent=OK))],
    "bulk/": [
        Row(
            "POST",
            lambda ctx: "/bulk/",
            ui(agent=OK),
            data=lambda ctx, action=action: {
                "action": action,
                "refs": [ctx["case_a"].reference, ref(ctx)],
                "tag": "bulk-tag",
                "reason": "spam",
            },
        )
        for action in ("resolve", "assign_me", "tag", "not_a_case")
    ],
    "cases/<str:reference>/": [Row("GET", case_url("case_detail"), ui(), shows_case=True)],
    "cases/<str:reference>/assign-me/": [Row("POST", case_url("case_assign_me"), ui())],
    "cases/<str:reference>/presence/": [Row("POST", case_url("case_presence"), ui())],
    "cases/<str:reference>/request-rating/": [Row("POST", case_url("case_request_rating"), ui())],
    "cases/<str:reference>/<slug:action>/": [
        Row(
            "POST",
            case_url("case_action", action),
            # The supervisor's "ok" includes a refused change shown again (4xx page).
            ui(supervisor=(200, 302, 400, 409)),
            data=lambda ctx, body=body: {**body, "version": ctx["case_b"].version},
        )
        for action, body in UI_CASE_ACTIONS.items()
    ],
    "supervisor/": [Row("GET", lambda ctx: "/supervisor/", ui(agent=403), shows_case=True)],
    "supervisor/escalations/<int:pk>/acknowledge/": [
        Row(
            "POST",
            lambda ctx: reverse("escalation_acknowledge", args=[ctx["escalation"].pk]),
            ui(agent=403),
        )
    ],
    "language/": [
        Row("POST", lambda ctx: "/language/", public((302,)), data=lambda c: {"language": "en"})
    ],
    "availability/": [
        Row("POST", lambda ctx: "/availability/", ui(agent=OK), data=lambda c: {"available": "1"})
    ],
    "notifications/": [Row("GET", lambda ctx: "/notifications/", ui(agent=OK), shows_case=True)],
    "accounts/login/": [Row("GET", lambda ctx: "/accounts/login/", public((200, 302)))],
    "accounts/logout/": [Row("POST", lambda ctx: "/accounts/logout/", public((200, 302)))],
    "accounts/password/": [Row("GET", lambda ctx: "/accounts/password/", ui(agent=OK))],
    "accounts/password/done/": [Row("GET", lambda ctx: "/accounts/password/done/", ui(agent=OK))],
    # --- reports and their CSV exports: supervisors only
    "reports/": [Row("GET", lambda ctx: "/reports/", ui(agent=403))],
    "reports/<slug:table>.csv": [
        Row("GET", lambda ctx, t=table: f"/reports/{t}.csv", ui(agent=403))
        for table in REPORT_TABLES
    ]
    + [Row("GET", lambda ctx: "/reports/no-such-table.csv", ui(agent=403, supervisor=404))],
    # --- webhooks: signature authentication, the same answer for every persona
    "social/x/webhook/": [
        Row("GET", lambda ctx: "/social/x/webhook/?crc_token=abc", public((200,))),
        Row("POST", lambda ctx: "/social/x/webhook/", public((403,)), api=True),
    ],
    "social/inbound/<slug:channel>/": [
        Row("POST", lambda ctx: "/social/inbound/matrixchan/", public((403,)), api=True),
        Row("POST", lambda ctx: "/social/inbound/nochannel/", public((404,)), api=True),
    ],
    # --- the REST API
    "api/v1/schema/": [Row("GET", lambda ctx: "/api/v1/schema/", public((200,)))],
    "api/v1/docs/": [Row("GET", lambda ctx: "/api/v1/docs/", public((200,)))],
    "api/v1/docs/redoc/": [Row("GET", lambda ctx: "/api/v1/docs/redoc/", public((200,)))],
    "api/v1/me/": [Row("GET", lambda ctx: "/api/v1/me/", api(agent=OK, key=OK))],
    "api/v1/^cases/$": [
        Row("GET", lambda ctx: "/api/v1/cases/", api(agent=OK, key=OK), shows_case=True),
        Row(
            "GET",
            lambda ctx: f"/api/v1/cases/?search={MARKER}",
            api(agent=OK, key=OK),
            shows_case=True,
        ),
        Row(
            "GET",
            lambda ctx: f"/api/v1/cases/?search={ref(ctx)}",
            api(agent=OK, key=OK),
            shows_case=True,
        ),
        Row(
            "GET",
            lambda ctx: "/api/v1/cases/?queue=complaints",
            api(agent=OK, key=OK),
            shows_case=True,
        ),
        Row(
            "GET",
            lambda ctx: f"/api/v1/cases/?customer={ctx['case_b'].customer.handle}",
            api(agent=OK, key=OK),
            shows_case=True,
        ),
    ],
    "api/v1/^cases/take-next/$": [
        # The agent takes a case of their own queue (case B stays untouched).
        Row(
            "POST",
            lambda ctx: "/api/v1/cases/take-next/",
            api(agent=OK, key=403, supervisor=(200, 404)),
            api=True,
        )
    ],
    "api/v1/^cases/(?P<reference>[^/]+)/$": [Row("GET", api_case(), api(), shows_case=True)],
    "api/v1/^cases/(?P<reference>[^/]+)/events/$": [Row("GET", api_case("events"), api())],
    "api/v1/^cases/(?P<reference>[^/]+)/messages/$": [
        Row("GET", api_case("messages"), api(), shows_case=True)
    ],
    **{
        f"api/v1/^cases/(?P<reference>[^/]+)/{action}/$": [
            Row(
                "POST",
                api_case(action),
                # A key without a user may not escalate or acknowledge (a person's act);
                # the outsider key still learns nothing: 404 comes first for it.
                api(supervisor=(200, 201, 400, 403, 404, 409)),
                data=body,
                api=True,
            )
        ]
        for action, body in API_CASE_ACTIONS.items()
    },
    "api/v1/^customers/$": [
        Row("GET", lambda ctx: "/api/v1/customers/", api(agent=OK, key=OK), shows_case=True),
        Row(
            "GET",
            lambda ctx: f"/api/v1/customers/?search={ctx['case_b'].customer.handle}",
            api(agent=OK, key=OK),
            shows_case=True,
        ),
    ],
    "api/v1/^customers/(?P<pk>[0-9]{1,18})/$": [
        Row(
            "GET",
            lambda ctx: f"/api/v1/customers/{ctx['case_b'].customer_id}/",
            api(),
            shows_case=True,
        )
    ],
    "api/v1/^queues/$": [Row("GET", lambda ctx: "/api/v1/queues/", api(agent=OK, key=OK))],
    "api/v1/^queues/(?P<slug>[-a-zA-Z0-9_]+)/$": [
        Row("GET", lambda ctx: "/api/v1/queues/complaints/", api())
    ],
    "api/v1/^.*$": [Row("GET", lambda ctx: "/api/v1/nothing-here/", public((404,)))],
    # --- public pages: by account handle or by an unguessable token, same for all
    "public/<str:handle>/": [
        Row("GET", lambda ctx: "/public/SadaMinistry/", public((200, 404))),
        Row("GET", lambda ctx: "/public/nobody-here/", public((404,))),
    ],
    "public/<str:handle>/data.json": [
        Row("GET", lambda ctx: "/public/SadaMinistry/data.json", public((200, 404))),
    ],
    "^s/(?P<token>[A-Za-z0-9_-]{16,64})/$": [
        Row(
            "GET", lambda ctx: f"/s/{ctx['status_token']}/", public((200,)), for_token_holders=True
        ),
        Row("GET", lambda ctx: "/s/AAAAAAAAAAAAAAAAAAAA/", public((404,))),
    ],
    "^r/(?P<token>[A-Za-z0-9_-]{16,64})/$": [
        Row("GET", lambda ctx: "/r/AAAAAAAAAAAAAAAAAAAA/", public((404,))),
    ],
    "^r/(?P<token>[A-Za-z0-9_-]{16,64})/(?P<score>[^/]{1,8})/$": [
        Row("GET", lambda ctx: "/r/AAAAAAAAAAAAAAAAAAAA/5/", public((404,))),
    ],
    # --- the admin's own pages (ModelAdmin pages: see ADMIN below)
    "admin/": [
        Row(
            "GET",
            lambda ctx: "/admin/",
            ui(agent=ADMIN_LOGIN) | {"anonymous": ADMIN_LOGIN, "key_a": ADMIN_LOGIN},
        )
    ],
    "admin/login/": [Row("GET", lambda ctx: "/admin/login/", public((200, 302)))],
    "admin/logout/": [Row("POST", lambda ctx: "/admin/logout/", public((200, 302)))],
    "admin/password_change/": [
        Row(
            "GET",
            lambda ctx: "/admin/password_change/",
            {**dict.fromkeys(PERSONAS[:3], ADMIN_LOGIN), "supervisor": OK},
        )
    ],
    "admin/password_change/done/": [
        Row(
            "GET",
            lambda ctx: "/admin/password_change/done/",
            {**dict.fromkeys(PERSONAS[:3], ADMIN_LOGIN), "supervisor": OK},
        )
    ],
    "admin/autocomplete/": [
        Row(
            "GET",
            lambda ctx: (
                "/admin/autocomplete/?app_label=cases&model_name=case&field_name=merged_into&term=C"
            ),
            {**dict.fromkeys(PERSONAS[:3], ADMIN_LOGIN), "supervisor": (200, 403, 404)},
        )
    ],
    "admin/jsi18n/": [
        Row(
            "GET",
            lambda ctx: "/admin/jsi18n/",
            {**dict.fromkeys(PERSONAS[:3], ADMIN_LOGIN), "supervisor": OK},
        )
    ],
    "admin/r/<path:content_type_id>/<path:object_id>/": [
        Row(
            "GET",
            lambda ctx: f"/admin/r/{ctx['case_ct']}/{ctx['case_b'].pk}/",
            # contenttypes' shortcut: a redirect to the object's public URL, if any.
            public((302, 404)),
        )
    ],
    "admin/^(?P<app_label>auth|django_q|axes|cases|social_ingest)/$": [
        Row(
            "GET",
            lambda ctx: "/admin/cases/",
            {**dict.fromkeys(PERSONAS[:3], ADMIN_LOGIN), "supervisor": OK},
        )
    ],
    "admin/cases/routingrule/try/": [
        Row(
            "GET",
            lambda ctx: "/admin/cases/routingrule/try/?text=hello",
            {**dict.fromkeys(PERSONAS[:3], ADMIN_LOGIN), "supervisor": (200, 403)},
        )
    ],
    "admin/(?P<url>.*)$": [
        Row(
            "GET",
            lambda ctx: "/admin/no/such/page/",
            {**dict.fromkeys(PERSONAS[:3], ADMIN_LOGIN), "supervisor": 404},
        )
    ],
}

ADMIN_SUFFIXES = ("changelist", "add", "change", "delete", "history")


def walk(resolver=None, prefix: str = "", namespace: str = ""):
    """(route, name) of every URL pattern, includes flattened."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name or ""


def admin_model_routes() -> set[str]:
    """The standard pages of every registered ModelAdmin (covered by `test_admin_pages`)."""
    routes = set()
    for model, model_admin in admin.site._registry.items():
        base = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        for pattern in model_admin.get_urls():
            if pattern.name and pattern.name.endswith(ADMIN_SUFFIXES):
                routes.add(base + str(pattern.pattern))
            elif not pattern.name:  # the "<id>/" redirect to the change page
                routes.add(base + str(pattern.pattern))
    return routes


def test_every_url_pattern_has_a_matrix_entry():
    routes = [route for route, _name in walk()]
    standard_admin = admin_model_routes()
    missing = [r for r in routes if r not in MATRIX and r not in standard_admin]
    assert missing == [], (
        "URL patterns without an authorization-matrix entry (decide who may use them "
        f"and add them to MATRIX): {missing}"
    )
    stale = [r for r in MATRIX if r not in routes]
    assert stale == [], f"matrix entries for routes that no longer exist: {stale}"


# --- the world the matrix runs in --------------------------------------------------------


@pytest.fixture
def ctx(agent, supervisor, settings):
    from django.contrib.contenttypes.models import ContentType

    settings.X_CONSUMER_SECRET = "matrix-secret"
    InboundChannel.objects.create(slug="matrixchan", name="Matrix", secret="chan-secret")
    SocialAccount.objects.get_or_create(handle="SadaMinistry", defaults={"external_id": "1"})
    supervisor.is_staff = True
    supervisor.save(update_fields=["is_staff"])
    case_a = open_case("81001", queue="general", author_id="701")
    case_b = open_case("81002", queue="complaints", author_id="702", text=f"الموقع معطل {MARKER}")
    case_b.refresh_from_db()
    assert case_b.priority != "P1"  # agents see every P1: the foreign case must not be one
    escalation = sla_services.case_escalate(case=case_b, actor=supervisor, reason="stuck")
    Notification.objects.create(
        user=supervisor,
        kind=Notification.Kind.ESCALATED,
        case=case_b,
        data={"reference": case_b.reference},
    )
    link, token = _status_link(case_b, supervisor)
    _key, raw = make_key(scopes=("read", "act"), queue="general", created_by=supervisor)
    case_b.refresh_from_db()
    return {
        "agent": agent,
        "supervisor": supervisor,
        "case_a": case_a,
        "case_b": case_b,
        "escalation": escalation,
        "key": raw,
        "status_token": token,
        "case_ct": ContentType.objects.get_for_model(Case).pk,
    }


def _status_link(case, user):
    from cases.public_services import status_link_create

    return status_link_create(case=case, actor=user)


def client_for(persona: str, ctx) -> Client:
    if persona == "key_a":
        return Client(headers={"Authorization": f"Bearer {ctx['key']}"})
    client = Client()
    if persona == "agent_a":
        client.force_login(ctx["agent"])
    elif persona == "supervisor":
        client.force_login(ctx["supervisor"])
    return client


def state_of(case: Case) -> tuple:
    case.refresh_from_db()
    return (
        case.version,
        case.status,
        case.assignee_id,
        case.queue_id,
        case.priority,
        CaseEvent.objects.filter(case=case).count(),
    )


def outcome_holds(response, expected) -> bool:
    status = response.status_code
    location = response.headers.get("Location", "")
    if expected == LOGIN:
        return status == 302 and location.startswith(reverse("login"))
    if expected == ADMIN_LOGIN:
        return status == 302 and location.startswith(reverse("admin:login"))
    if expected == OK:
        return 200 <= status < 400 and "/login/" not in location
    if isinstance(expected, tuple):
        return status in expected
    return status == expected


def _request(client, row: Row, ctx):
    url = row.url(ctx)
    if row.method == "GET":
        return client.get(url)
    data = row.data(ctx)
    if row.api:
        return client.post(url, data=json.dumps(data), content_type="application/json")
    return client.post(url, data)


def _shows(response, ctx, url: str) -> bool:
    """Whether the answer shows case B: its reference, text or customer handle, not
    counting what the request itself carried (a 404 page or a search box echoes it)."""
    asked = unquote(url)
    body = response.content.decode("utf-8", "replace")
    customer = ctx["case_b"].customer
    signs = [ref(ctx), MARKER, customer.handle, customer.name]
    return any(sign in body for sign in signs if sign not in asked)


ROW_IDS = [(route, i) for route, rows in MATRIX.items() for i in range(len(rows))]


@pytest.mark.parametrize(("route", "index"), ROW_IDS, ids=[f"{r or '/'}#{i}" for r, i in ROW_IDS])
def test_matrix(route, index, ctx):
    row = MATRIX[route][index]
    for persona in PERSONAS:
        before = state_of(ctx["case_b"])
        response = _request(client_for(persona, ctx), row, ctx)
        expected = row.expect[persona]
        if not (isinstance(expected, tuple) and response.status_code in expected):
            assert response.status_code < 500, (persona, row.url(ctx), response.status_code)
        assert outcome_holds(response, expected), (
            persona,
            row.method,
            row.url(ctx),
            response.status_code,
            response.headers.get("Location"),
            expected,
        )
        if persona != "supervisor" and not row.for_token_holders:
            # Denied, or allowed only to its own cases: nothing of case B shows or changes.
            assert not _shows(response, ctx, row.url(ctx)), (persona, row.url(ctx))
            assert state_of(ctx["case_b"]) == before, (persona, row.method, row.url(ctx))
        elif row.shows_case:
            assert _shows(response, ctx, row.url(ctx)), ("positive control failed", row.url(ctx))


# --- the admin: every registered model's pages ---------------------------------------


def admin_urls(ctx) -> list[tuple[str, str]]:
    urls = []
    for model in admin.site._registry:
        opts = model._meta
        obj = ctx["case_b"] if model is Case else model._default_manager.order_by("pk").first()
        pk = obj.pk if obj is not None else 999999
        urls.append(
            (
                f"{opts.app_label}_{opts.model_name}_changelist",
                reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            )
        )
        urls.append(
            (
                f"{opts.app_label}_{opts.model_name}_add",
                reverse(f"admin:{opts.app_label}_{opts.model_name}_add"),
            )
        )
        for suffix in ("change", "delete", "history"):
            urls.append(
                (
                    f"{opts.app_label}_{opts.model_name}_{suffix}",
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_{suffix}", args=[pk]),
                )
            )
    return urls


@pytest.mark.parametrize("persona", ["anonymous", "key_a", "agent_a"])
def test_admin_pages_are_closed_to_non_staff(persona, ctx):
    """Agents are not staff: every admin page sends them (and the others) to sign in."""
    client = client_for(persona, ctx)
    before = state_of(ctx["case_b"])
    for name, url in admin_urls(ctx):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert outcome_holds(response, ADMIN_LOGIN), (
                persona,
                method,
                name,
                response.status_code,
            )
    assert state_of(ctx["case_b"]) == before


def test_admin_pages_open_to_a_staff_supervisor_but_the_logs_stay_read_only(ctx):
    client = client_for("supervisor", ctx)
    for name, url in admin_urls(ctx):
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (name, response.status_code)
    event = CaseEvent.objects.filter(case=ctx["case_b"]).order_by("pk").first()
    for url in (
        reverse("admin:cases_caseevent_delete", args=[event.pk]),
        reverse("admin:social_ingest_inboundevent_delete", args=[1]),
    ):
        assert client.post(url, {"post": "yes"}).status_code in (403, 302)
    client.post(
        reverse("admin:cases_caseevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    client.post(
        reverse("admin:cases_caseevent_change", args=[event.pk]), {"kind": "x", "data": "{}"}
    )
    assert CaseEvent.objects.filter(pk=event.pk, kind=event.kind, data=event.data).exists()
    assert client.get(reverse("admin:cases_caseevent_delete", args=[event.pk])).status_code == 403


def test_a_staff_supervisor_cannot_make_a_superuser_or_grant_themselves_more(ctx):
    """The user admin is the path to every other permission: a supervisor who may
    edit users must not be able to tick superuser or staff on anyone, themselves included."""
    supervisor = ctx["supervisor"]
    client = client_for("supervisor", ctx)
    response = client.get(reverse("admin:cases_user_change", args=[supervisor.pk]))
    if response.status_code != 200:
        return  # no access to the user admin at all: nothing to escalate through
    body = response.content.decode()
    assert 'name="is_superuser"' not in body, "supervisors can tick is_superuser"
    assert 'name="user_permissions"' not in body, "supervisors can grant themselves permissions"


def test_a_bulk_action_with_a_foreign_case_mixed_in_applies_to_the_own_case_only(ctx):
    client = client_for("agent_a", ctx)
    before = state_of(ctx["case_b"])
    response = client.post(
        "/bulk/",
        {"action": "resolve", "refs": [ctx["case_a"].reference, ref(ctx)]},
        follow=True,
    )
    assert response.status_code == 200
    ctx["case_a"].refresh_from_db()
    assert ctx["case_a"].status == Case.Status.RESOLVED
    assert state_of(ctx["case_b"]) == before
    # Refused as "not found", exactly like a reference that does not exist.
    texts = [str(m) for m in response.context["messages"]]
    assert any(ref(ctx) in t for t in texts) and not _shows_text(texts, ctx)


def _shows_text(texts: list[str], ctx) -> bool:
    joined = " ".join(texts)
    return MARKER in joined or ctx["case_b"].customer.handle in joined
