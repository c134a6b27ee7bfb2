"""Pages without sign-in: transparency figures, case status links, rating links."""

from django.urls import path, re_path

from . import views_public

# Tokens are secrets.token_urlsafe output; anything else is a 404 before any query.
TOKEN = r"(?P<token>[A-Za-z0-9_-]{16,64})"

urlpatterns = [
    path("public/<str:handle>/", views_public.transparency_page, name="public_transparency"),
    path(
        "public/<str:handle>/data.json",
        views_public.transparency_json,
        name="public_transparency_json",
    ),
    re_path(rf"^s/{TOKEN}/$", views_public.status_page, name="public_status"),
    re_path(rf"^r/{TOKEN}/$", views_public.rating_page, name="public_rating"),
    re_path(
        rf"^r/{TOKEN}/(?P<score>[^/]{{1,8}})/$",
        views_public.rating_page,
        name="public_rating_score",
    ),
]
