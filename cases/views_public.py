"""Pages anyone can open without signing in: a case's status link, the rating page,
and an account's transparency page (HTML and embeddable JSON).

They show no personal data and no case text. Token pages send no Referer (the
token is in the URL), are never cached by shared caches and are not indexed.
Every page carries the strict content security policy: no inline script.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import public_services, transparency
from .error_text import error_text
from .exceptions import CaseError, InvalidInput, InvalidTransition
from .models import Case
from .public_services import AlreadyRated, TooManyFollowups
from .selectors import visible_cases
from .views import CONTENT_SECURITY_POLICY, ui_view

logger = logging.getLogger(__name__)

_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _language(request: HttpRequest) -> str:
    """`?lang=en|ar` first, then what the UI would choose (the cookie of the language
    switch, a signed-in person's choice), then Arabic."""
    language = request.GET.get("lang", "")
    if language not in _LANGUAGES:
        language = getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    if language not in _LANGUAGES:
        language = settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def _public(response: HttpResponse, language: str, *, token_page: bool = False) -> HttpResponse:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Content-Language"] = language
    if token_page:
        # The token is the key to the page: never in a Referer, a shared cache or an index.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store, private"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _not_found(request: HttpRequest, language: str) -> HttpResponse:
    """The same 404 for every unknown token or handle: nothing tells them apart."""
    response = render(request, "public/not_found.html", {"lang": language}, status=404)
    return _public(response, language)


STATUS_LABELS = {
    "new": translation.pgettext_lazy("public status", "received"),
    "open": translation.pgettext_lazy("public status", "being handled"),
    "pending": translation.pgettext_lazy("public status", "waiting for your reply"),
    "resolved": translation.pgettext_lazy("public status", "resolved"),
    "closed": translation.pgettext_lazy("public status", "closed"),
}


# --- Case status link ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def status_page(request: HttpRequest, token: str) -> HttpResponse:
    """Reference, status and last update of a case; a follow-up form while it takes one."""
    language = _language(request)
    found = public_services.status_link_lookup(token)
    if found is None:
        return _not_found(request, language)
    if found.state != "ok":
        response = render(request, "public/status_gone.html", {"lang": language}, status=410)
        return _public(response, language, token_page=True)
    error, status, text = "", 200, ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            public_services.case_public_followup(link=found.link, text=text)
        except TooManyFollowups:
            error, status = _("Too many messages in the last hour; please try again later."), 429
        except InvalidInput:
            error, status = (
                _("Write a message of 1 to %(n)s characters.")
                % {"n": public_services.FOLLOWUP_MAX_CHARS},
                400,
            )
        except InvalidTransition:
            error, status = _("This case no longer takes messages here."), 409
        else:
            # Post/redirect/get; the flag only chooses a sentence, it writes nothing.
            url = reverse("public_status", args=[token])
            return redirect(f"{url}?lang={language}&sent=1")
    case = found.case
    context = {
        "lang": language,
        "reference": case.reference,
        "status": STATUS_LABELS.get(case.status, case.status),
        "status_code": case.status,
        "updated_at": case.updated_at,
        "can_follow_up": found.can_follow_up,
        "max_chars": public_services.FOLLOWUP_MAX_CHARS,
        "error": error,
        "text": text if error else "",
        "expires_at": found.expires_at,
        "sent": request.GET.get("sent") == "1" and not error,
    }
    response = render(request, "public/status.html", context, status=status)
    return _public(response, language, token_page=True)


# --- Satisfaction rating ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def rating_page(request: HttpRequest, token: str, score: str | None = None) -> HttpResponse:
    """GET shows the form (a tapped score preselected) and writes nothing: link previews
    and prefetchers open links. POST records the rating once."""
    language = _language(request)
    found = public_services.rating_lookup(token)
    if found is None:
        return _not_found(request, language)
    base = {"lang": language, "token": token, "scores": range(1, 6)}
    if found.state == "rated":
        status = 409 if request.method == "POST" else 200
        response = render(
            request, "public/rating_done.html", {**base, "already": True}, status=status
        )
        return _public(response, language, token_page=True)
    if found.state == "expired":
        response = render(request, "public/status_gone.html", base, status=410)
        return _public(response, language, token_page=True)
    selected, comment, error, status = None, "", "", 200
    if request.method == "POST":
        comment = request.POST.get("comment", "")
        try:
            public_services.case_rate(
                request=found.request, score=request.POST.get("score"), comment=comment
            )
        except AlreadyRated:
            response = render(
                request, "public/rating_done.html", {**base, "already": True}, status=409
            )
            return _public(response, language, token_page=True)
        except CaseError as exc:
            error, status = _rating_error(exc), exc.http_status
            selected = request.POST.get("score")
        else:
            response = render(request, "public/rating_done.html", {**base, "already": False})
            return _public(response, language, token_page=True)
    elif score is not None:
        try:
            selected = public_services.parse_score(score)
        except InvalidInput as exc:
            error, status = _rating_error(exc), 400
    context = {
        **base,
        "selected": str(selected or ""),
        "comment": comment,
        "error": error,
        "max_chars": public_services.COMMENT_MAX_CHARS,
    }
    response = render(request, "public/rating.html", context, status=status)
    return _public(response, language, token_page=True)


def _rating_error(exc: CaseError) -> str:
    if isinstance(exc, InvalidInput) and "comment" in exc.message:
        return _("The comment is too long (at most %(n)s characters).") % {
            "n": public_services.COMMENT_MAX_CHARS
        }
    if isinstance(exc, InvalidInput):
        return _("Choose a score from 1 to 5.")
    return _("This link no longer works.")


@ui_view
@require_POST
def case_request_rating(request: HttpRequest, reference: str) -> HttpResponse:
    """An agent asks the customer of a resolved case for a rating (a reply with the link)."""
    try:
        case = visible_cases(request.user).get(reference=reference)
    except Case.DoesNotExist:
        raise Http404 from None
    version = request.POST.get("version", "")
    try:
        public_services.case_request_rating(
            case=case,
            actor=request.user,
            expected_version=int(version) if version.isdigit() else None,
        )
        messages.success(request, _("Rating link queued for X."))
    except AlreadyRated:
        messages.error(request, _("Not saved: this case was already rated."))
    except CaseError as error:
        messages.error(request, _("Not saved: %(why)s.") % {"why": error_text(error)})
    return redirect("case_detail", reference=reference)


# --- Transparency page ------------------------------------------------------------------


@require_GET
def transparency_page(request: HttpRequest, handle: str) -> HttpResponse:
    language = _language(request)
    figures = transparency.figures_for(handle, language)
    if figures is None:
        return _not_found(request, language)
    response = render(request, "public/transparency.html", {"lang": language, "f": figures})
    response.headers["Cache-Control"] = f"public, max-age={settings.SADA_PUBLIC_CACHE_SECONDS}"
    return _public(response, language)


@require_GET
def transparency_json(request: HttpRequest, handle: str) -> HttpResponse:
    language = _language(request)
    figures = transparency.figures_for(handle, language)
    if figures is None:
        response = JsonResponse({"error": "not_found"}, status=404)
    else:
        response = JsonResponse(figures, json_dumps_params={"ensure_ascii": False})
        response.headers["Cache-Control"] = f"public, max-age={settings.SADA_PUBLIC_CACHE_SECONDS}"
    # Embeddable: any site may read the figures (nothing here is private).
    response.headers["Access-Control-Allow-Origin"] = "*"
    return _public(response, language)
