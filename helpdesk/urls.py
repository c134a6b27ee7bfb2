from django.contrib import admin
from django.urls import include, path

from . import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("social/", include("social_ingest.urls")),
    path("api/v1/", include("cases.api.urls")),
    # The agents' and supervisors' UI: inbox at /, cases, dashboard, sign-in (last: its
    # "cases/<reference>/<action>/" patterns must not shadow other apps).
    path("", include("cases.urls")),
]
