from django.urls import path

app_name = "social_ingest"
urlpatterns: list = []
