"""The agents' and supervisors' web UI: thin views over selectors and services.

Every case is fetched through `visible_cases` (an outsider gets 404); every
change goes through one service with the version the agent was looking at, so
a change made by someone else in between is refused and shown, never
overwritten.
"""

from __future__ import annotations

import functools
import logging
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import presence, services
from .error_text import error_text
from .exceptions import CaseError, NothingToTake, StaleCase
from .forms import (
    AssignForm,
    BulkForm,
    EscalateForm,
    InboxFilterForm,
    MergeForm,
    NotACaseForm,
    NoteForm,
    PriorityForm,
    QueueForm,
    ReplyForm,
    StatusForm,
    TagsForm,
)
from .models import CannedResponse, Case, Queue, User
from .public_services import (
    STATUS_LINK_PLACEHOLDER,
    case_reply_with_status_link,
    status_link_example,
)
from .replies import MAX_WEIGHTED_LENGTH
from .selectors import case_list, visible_cases
from .selectors_ui import (
    agent_load,
    case_thread,
    customer_earlier_cases,
    due_soon,
    inbox_page,
    inbox_tabs,
    queue_health,
    with_sla,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
# Scripts and styles only from Sada itself: a tweet that slips markup past the
# escaping still cannot run anything.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def ui_view(view):
    """Login required, and the strict content security policy on the response."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    return login_required(wrapper)


def is_supervisor(request: HttpRequest) -> bool:
    """`user.is_supervisor`, asked once per request (it is a query)."""
    if not hasattr(request, "_sada_is_supervisor"):
        request._sada_is_supervisor = request.user.is_supervisor
    return request._sada_is_supervisor


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _get_case(request: HttpRequest, reference: str) -> Case:
    """A visible case, with what its page shows about it, or 404."""
    now = timezone.now()
    qs = case_list(with_sla(visible_cases(request.user), now)).select_related("merged_into")
    try:
        return qs.get(reference=reference)
    except Case.DoesNotExist:
        raise Http404(_("No such case.")) from None


def _assign_candidates(case: Case | None, request: HttpRequest):
    """Who a supervisor may assign to: the case queue's active members and supervisors."""
    base = User.objects.filter(is_active=True)
    if case is not None:
        base = base.filter(
            Q(queues=case.queue) | Q(groups__name="Supervisors") | Q(is_superuser=True)
        )
    else:
        base = base.filter(groups__name__in=["Agents", "Supervisors"])
    return base.distinct().order_by("first_name", "username")


# --- Inbox ------------------------------------------------------------------------------


def _inbox_filters(request: HttpRequest) -> dict:
    """The current filters as query parameters, without the paging ones."""
    return {
        key: value
        for key, value in request.GET.items()
        if key not in ("after", "n", "partial") and value
    }


@ui_view
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    supervisor = is_supervisor(request)
    now = timezone.now()
    queues = Queue.objects.order_by("slug")
    if not supervisor:  # an agent's tabs are their own queues: asked in the same query
        membership = Queue.members.through.objects.filter(queue=OuterRef("pk"), user=user)
        queues = queues.annotate(is_mine=Exists(membership))
    all_queues = list(queues)
    tab_queues = all_queues if supervisor else [q for q in all_queues if q.is_mine]
    from social_ingest.models import SocialAccount

    accounts = list(SocialAccount.objects.order_by("handle"))
    people = list(_assign_candidates(None, request))
    form = InboxFilterForm(request.GET, queues=all_queues, accounts=accounts, people=people)
    query = form.to_query(page_size=PAGE_SIZE)
    page = inbox_page(user, query, now=now, is_supervisor=supervisor)
    filters = _inbox_filters(request)
    context = {
        "page": page,
        "rows": page.rows,
        "query": query,
        "form": form,
        "filters": filters,
        "filters_qs": urlencode(filters),
        "now": now,
        "is_supervisor": supervisor,
        "poll_seconds": settings.SADA_UI_POLL_SECONDS,
        "appending": bool(query.after),
    }
    if request.GET.get("partial") == "rows":
        return render(request, "cases/_inbox_rows.html", context)
    context.update(
        tabs=inbox_tabs(user, tab_queues, is_supervisor=supervisor),
        current_view=query.view,
        current_queue=query.queue if query.view == "queue" else "",
        bulk_form=BulkForm(candidates=_assign_candidates(None, request)),
        bulk_people=people if supervisor else [],
        all_queues=all_queues,
        filters_active=any(
            key in filters for key in form.fields if key not in ("view", "sort", "after", "n")
        ),
    )
    return render(request, "cases/inbox.html", context)


@ui_view
@require_POST
def take_next(request: HttpRequest) -> HttpResponse:
    try:
        case = services.case_take_next(agent=request.user)
    except NothingToTake:
        messages.info(request, _("No unassigned case is waiting in your queues."))
        return redirect(_safe_next(request, reverse("inbox")))
    messages.success(request, _("You took %(ref)s.") % {"ref": case.reference})
    return redirect("case_detail", reference=case.reference)


BULK_LIMIT = 200


@ui_view
@require_POST
def inbox_bulk(request: HttpRequest) -> HttpResponse:
    """One service call per selected case; each refusal is reported, the rest still apply."""
    back = _safe_next(request, reverse("inbox"))
    form = BulkForm(request.POST, candidates=_assign_candidates(None, request))
    refs = list(dict.fromkeys(request.POST.getlist("refs")))[:BULK_LIMIT]
    if not refs:
        messages.warning(request, _("Select at least one case."))
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    action = form.cleaned_data["action"]
    user = request.user
    cases = {c.reference: c for c in visible_cases(user).filter(reference__in=refs)}
    done, refused = [], []
    for ref in refs:
        case = cases.get(ref)
        if case is None:
            refused.append((ref, _("not found")))
            continue
        try:
            _bulk_apply(action, case, user, form.cleaned_data)
            done.append(ref)
        except CaseError as error:
            refused.append((ref, error_text(error)))
    if done:
        messages.success(
            request,
            _("Done on %(n)s case(s): %(refs)s") % {"n": len(done), "refs": ", ".join(done)},
        )
    for ref, why in refused:
        messages.error(request, _("%(ref)s was refused: %(why)s") % {"ref": ref, "why": why})
    return redirect(back)


def _bulk_apply(action: str, case: Case, user: User, data: dict) -> None:
    if action == "assign_me":
        services.case_assign(case=case, assignee=user, actor=user)
    elif action == "assign":
        services.case_assign(case=case, assignee=data["assignee"], actor=user)
    elif action == "queue":
        services.case_change_queue(case=case, queue=data["queue"], actor=user, reason="bulk")
    elif action == "tag":
        services.case_add_tags(case=case, tags=[data["tag"]], actor=user)
    elif action == "resolve":
        services.case_resolve(case=case, actor=user)
    elif action == "not_a_case":
        services.case_mark_not_a_case(case=case, actor=user, reason=data["reason"])


# --- Errors in the reader's language -----------------------------------------------------


# --- The case page ------------------------------------------------------------------------


CASE_FORMS = {
    "reply": ReplyForm,
    "note": NoteForm,
    "status": StatusForm,
    "not_a_case": NotACaseForm,
    "priority": PriorityForm,
    "queue": QueueForm,
    "tags": TagsForm,
    "assign": AssignForm,
    "escalate": EscalateForm,
    "merge": MergeForm,
}


def _sla_services():
    try:
        from . import sla_services
    except ImportError:
        return None
    return sla_services


def _case_context(request: HttpRequest, case: Case, bound: dict | None = None) -> dict:
    """Everything the case page shows; `bound` holds a submitted form to show again."""
    user = request.user
    supervisor = is_supervisor(request)
    now = timezone.now()
    thread = case_thread(case)
    person_ids = {case.assignee_id} if case.assignee_id else set()
    for kind, row in thread:
        if kind == "event":
            person_ids.add(row.actor_id)
            if row.kind == "assigned":
                person_ids.update([row.data.get("old"), row.data.get("new")])
        else:
            person_ids.add(row.author_id)
    people = {u.pk: u for u in User.objects.filter(pk__in=[p for p in person_ids if p])}
    queues = list(Queue.objects.order_by("slug"))
    canned = [
        {"title": c.title, "language": c.language, "text": c.render(case)}
        for c in CannedResponse.objects.filter(is_active=True)
        .filter(Q(queues=None) | Q(queues=case.queue_id))
        .distinct()
    ]
    initial = {"version": case.version}
    forms = {name: cls(initial=initial) for name, cls in CASE_FORMS.items() if name != "assign"}
    forms["assign"] = AssignForm(
        initial={**initial, "assignee": case.assignee_id},
        candidates=_assign_candidates(case, request),
    )
    forms["status"] = StatusForm(initial={**initial, "status": case.status})
    forms["priority"] = PriorityForm(initial={**initial, "priority": case.priority})
    forms["queue"] = QueueForm(initial={**initial, "queue": case.queue.slug})
    if bound:
        forms.update(bound)
    hidden = {"message_received", "reply_queued", "note_added"}
    return {
        "case": case,
        "thread": [(k, r) for k, r in thread if not (k == "event" and r.kind in hidden)],
        "people": people,
        "queue_names": {q.slug: str(q) for q in queues},
        "earlier_cases": customer_earlier_cases(case, user),
        "canned": canned,
        "forms": forms,
        "others": presence.presence_others(case=case, user=user, now=now),
        "is_supervisor": supervisor,
        "now": now,
        "max_length": MAX_WEIGHTED_LENGTH,
        "status_link_placeholder": STATUS_LINK_PLACEHOLDER,
        "status_link_example": status_link_example(),
        "poll_seconds": settings.SADA_UI_POLL_SECONDS,
        "can_escalate": _sla_services() is not None and hasattr(_sla_services(), "case_escalate"),
        "escalations": _case_escalations(case),
        "merge_candidates": list(
            visible_cases(user)
            .filter(customer_id=case.customer_id, status__in=Case.OPEN_STATUSES)
            .exclude(pk=case.pk)
            .order_by("-created_at")[:10]
        )
        if case.customer_id and case.is_open
        else [],
    }


def _case_escalations(case: Case) -> list:
    try:
        from .selectors_sla import escalations_of_case
    except ImportError:
        return []
    return list(escalations_of_case(case))


@ui_view
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request, reference)
    presence.presence_touch(case=case, user=request.user)
    return render(request, "cases/case_detail.html", _case_context(request, case))


@ui_view
@require_POST
def case_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """Apply one change to a case; a stale or refused change shows the page again."""
    if action not in CASE_FORMS:
        raise Http404
    case = _get_case(request, reference)
    user = request.user
    kwargs = {}
    if action == "assign":
        kwargs["candidates"] = _assign_candidates(case, request)
    form = CASE_FORMS[action](request.POST, **kwargs)
    if not form.is_valid():
        return _case_refused(request, case, action, form, status=400)
    data = form.cleaned_data
    version = data["version"]
    try:
        success = _case_apply(action, case, user, data, version)
    except StaleCase:
        fresh = _get_case(request, reference)
        messages.error(
            request,
            _(
                "Not saved: this case changed since you opened it. Its current state is shown "
                "below; your text is kept. Check it and submit again."
            ),
        )
        return _case_refused(request, fresh, action, form, status=409)
    except CaseError as error:
        messages.error(request, _("Not saved: %(why)s.") % {"why": error_text(error)})
        fresh = _get_case(request, reference)
        return _case_refused(request, fresh, action, form, status=error.http_status)
    messages.success(request, success)
    if action == "merge":
        return redirect("case_detail", reference=data["into"])
    return redirect(reverse("case_detail", args=[reference]) + _anchor(action))


def _anchor(action: str) -> str:
    return {"reply": "#composer", "note": "#composer"}.get(action, "")


def _case_refused(request, case: Case, action: str, form, *, status: int) -> HttpResponse:
    """The case page again, with the submitted form (its text kept) at the case's version."""
    data = request.POST.copy()
    data["version"] = str(case.version)
    kwargs = {"candidates": _assign_candidates(case, request)} if action == "assign" else {}
    again = CASE_FORMS[action](data, **kwargs)
    again.is_valid()
    if form.errors:
        for field, errors in form.errors.items():
            if field != "version":
                for error in errors:
                    again.add_error(field if field in again.fields else None, error)
    context = _case_context(request, case, bound={action: again})
    context["refused_action"] = action
    return render(request, "cases/case_detail.html", context, status=status)


def _case_apply(action: str, case: Case, user: User, data: dict, version: int) -> str:
    """Call the one service of `action`; returns the success message."""
    if action == "reply":
        if data.get("status_link"):
            case_reply_with_status_link(
                case=case, author=user, text=data["text"], expected_version=version
            )
            return _("Reply queued for X.")
        services.case_reply(case=case, author=user, text=data["text"], expected_version=version)
        return _("Reply queued for X.")
    if action == "note":
        services.case_add_note(case=case, author=user, text=data["text"], expected_version=version)
        return _("Note added.")
    if action == "status":
        services.case_set_status(
            case=case,
            status=data["status"],
            actor=user,
            reason=data.get("reason", ""),
            expected_version=version,
        )
        return _("Status changed.")
    if action == "not_a_case":
        services.case_mark_not_a_case(
            case=case, actor=user, reason=data["reason"], expected_version=version
        )
        return _("Marked as not a case.")
    if action == "priority":
        services.case_set_priority(
            case=case,
            priority=data["priority"],
            actor=user,
            reason=data["reason"],
            expected_version=version,
        )
        return _("Priority changed.")
    if action == "queue":
        services.case_change_queue(
            case=case,
            queue=data["queue"],
            actor=user,
            reason=data.get("reason", ""),
            expected_version=version,
        )
        return _("Moved to another queue.")
    if action == "tags":
        services.case_add_tags(case=case, tags=data["tags"], actor=user, expected_version=version)
        return _("Tags added.")
    if action == "assign":
        services.case_assign(
            case=case, assignee=data.get("assignee"), actor=user, expected_version=version
        )
        return _("Assignment changed.")
    if action == "escalate":
        sla_services = _sla_services()
        if sla_services is None or not hasattr(sla_services, "case_escalate"):
            raise Http404
        sla_services.case_escalate(
            case=case, actor=user, reason=data["reason"], expected_version=version
        )
        return _("Escalated.")
    if action == "merge":
        try:
            into = visible_cases(user).get(reference=data["into"])
        except Case.DoesNotExist:
            from .exceptions import InvalidInput

            raise InvalidInput(_("No such case: %(ref)s") % {"ref": data["into"]}) from None
        services.case_merge(case=case, into=into, actor=user, expected_version=version)
        return _("Merged into %(ref)s.") % {"ref": into.reference}
    raise Http404


@ui_view
@require_POST
def case_assign_me(request: HttpRequest, reference: str) -> HttpResponse:
    """The "a" shortcut and button: assign the case to myself at the version shown."""
    case = _get_case(request, reference)
    version = request.POST.get("version", "")
    try:
        services.case_assign(
            case=case,
            assignee=request.user,
            actor=request.user,
            expected_version=int(version) if version.isdigit() else None,
        )
        messages.success(request, _("The case is yours."))
    except CaseError as error:
        messages.error(request, _("Not saved: %(why)s.") % {"why": error_text(error)})
    return redirect(_safe_next(request, reverse("case_detail", args=[reference])))


@ui_view
@require_POST
def case_presence(request: HttpRequest, reference: str) -> HttpResponse:
    """Heartbeat of an open case page: who else is here, and whether the case moved on."""
    case = _get_case(request, reference)
    user = request.user
    if request.POST.get("leave"):
        presence.presence_leave(case=case, user=user)
        return HttpResponse(status=204)
    presence.presence_touch(case=case, user=user, typing=request.POST.get("typing") == "1")
    seen = request.POST.get("version", "")
    changed = seen.isdigit() and int(seen) != case.version
    latest = None
    if changed:
        latest = case.events.select_related("actor").order_by("-created_at", "-id").first()
    people = {latest.actor_id: latest.actor} if latest and latest.actor_id else {}
    return render(
        request,
        "cases/_presence.html",
        {
            "case": case,
            "others": presence.presence_others(case=case, user=user),
            "changed": changed,
            "latest": latest,
            "people": people,
            "queue_names": {q.slug: str(q) for q in Queue.objects.all()} if latest else {},
        },
    )


# --- Supervisor dashboard -------------------------------------------------------------------


def _require_supervisor(request: HttpRequest) -> None:
    if not is_supervisor(request):
        raise PermissionDenied


def _dashboard_context(request: HttpRequest) -> dict:
    user = request.user
    now = timezone.now()
    local = timezone.localtime(now)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "now": now,
        "escalations": _awaiting_acknowledgement(user),
        "can_acknowledge": _escalation_acknowledge_service() is not None,
        "due_soon": due_soon(user, now, within=timedelta(hours=1)),
        "queues": queue_health(user, now, day_start=day_start),
        "agents": agent_load(now),
        "channels": _channel_health(),
        "poll_seconds": settings.SADA_UI_POLL_SECONDS,
    }


def _awaiting_acknowledgement(user: User) -> list:
    try:
        from .selectors_sla import escalations_for_supervisor
    except ImportError:
        escalations_for_supervisor = None
    if escalations_for_supervisor is None:
        return []
    return list(escalations_for_supervisor(user).filter(acknowledged_at__isnull=True)[:50])


def _escalation_acknowledge_service():
    sla_services = _sla_services()
    return getattr(sla_services, "escalation_acknowledge", None) if sla_services else None


def _channel_health() -> list:
    try:
        from social_ingest.selectors import account_health
    except ImportError:
        account_health = None
    if account_health is not None:
        return list(account_health())
    from social_ingest.models import SocialAccount

    return list(SocialAccount.objects.order_by("handle"))


@ui_view
@require_GET
def supervisor_dashboard(request: HttpRequest) -> HttpResponse:
    _require_supervisor(request)
    template = (
        "cases/_dashboard_panels.html"
        if request.GET.get("partial") == "panels"
        else "cases/dashboard.html"
    )
    return render(request, template, _dashboard_context(request))


@ui_view
@require_POST
def escalation_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    _require_supervisor(request)
    acknowledge = _escalation_acknowledge_service()
    if acknowledge is None:
        raise Http404
    from .models import Escalation

    try:
        escalation = Escalation.objects.select_related("case").get(
            pk=pk, case__in=visible_cases(request.user)
        )
    except Escalation.DoesNotExist:
        raise Http404 from None
    try:
        acknowledge(escalation=escalation, actor=request.user)
        messages.success(
            request,
            _("Escalation of %(ref)s acknowledged.") % {"ref": escalation.case.reference},
        )
    except CaseError as error:
        messages.error(request, _("Not saved: %(why)s.") % {"why": error_text(error)})
    return redirect(_safe_next(request, reverse("supervisor_dashboard")))


# --- Language ------------------------------------------------------------------------------


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in person keeps the choice on their user."""
    language = request.POST.get("language", "")
    response = redirect(_safe_next(request, reverse("inbox")))
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response


@login_required
def notifications_page(request: HttpRequest) -> HttpResponse:
    """The signed-in person's notifications, newest first; POST marks them all read."""
    from .notifications import notifications_mark_read
    from .notifications import render as render_notification
    from .selectors_sla import notifications_for

    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect(reverse("notifications"))
    language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("ar", "en") else "ar"
    rows = [
        {"n": n, "subject": render_notification(n, language)[0]}
        for n in notifications_for(request.user)[:100]
    ]
    return render(request, "cases/notifications.html", {"rows": rows, "section": "notifications"})


@login_required
@require_POST
def set_availability(request: HttpRequest) -> HttpResponse:
    """An agent sets themselves available or away (automatic assignment skips the away)."""
    services.user_set_availability(
        user=request.user, available=request.POST.get("available") == "1"
    )
    return redirect(_safe_next(request, reverse("inbox")))


def ui_context(request: HttpRequest) -> dict:
    """For the layout: whether to show the supervisor's link (asked only if rendered)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from .selectors_sla import unread_notification_count

    return {
        "nav_is_supervisor": functools.partial(is_supervisor, request),
        "nav_unread": functools.partial(unread_notification_count, request.user),
    }
