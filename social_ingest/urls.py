from django.urls import path

from . import views

app_name = "social_ingest"
urlpatterns = [
    path("x/webhook/", views.x_webhook, name="x_webhook"),
    path("inbound/<slug:channel>/", views.channel_inbound, name="channel_inbound"),
]
