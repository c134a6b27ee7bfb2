from django.contrib import admin
from django.urls import include, path

from . import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("social/", include("social_ingest.urls")),
    path("api/v1/", include("cases.api.urls")),
    # Public pages, no sign-in: /public/<handle>/, /s/<token>/, /r/<token>/.
    path("", include("cases.urls_public")),
    # The agents' and supervisors' UI: inbox at /, cases, dashboard, sign-in (last: its
    # "cases/<reference>/<action>/" patterns must not shadow other apps).
    path("", include("cases.urls")),
]
