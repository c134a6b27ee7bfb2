from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("queues", views.QueueViewSet, basename="queue")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("docs/redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("me/", views.WhoAmIView.as_view(), name="me"),
    *router.urls,
    re_path(r"^.*$", views.not_found),
]
