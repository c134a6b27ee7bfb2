"""The interface language and time zone of each request.

Arabic first: a signed-in person gets the language they chose (kept on their
user, so it follows them between devices), anyone else the language cookie or
LANGUAGE_CODE. The browser's Accept-Language is not consulted: the ministry's
team works in Arabic whatever their browser was installed with.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def request_language(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in _LANGUAGES:
        return user.language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return cookie if cookie in _LANGUAGES else settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """After AuthenticationMiddleware: activate the person's language and the display zone."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.zone = ZoneInfo(settings.DISPLAY_TIME_ZONE)

    def __call__(self, request):
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        timezone.activate(self.zone)
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
