"""Pages of the agents' and supervisors' UI, and signing in and out."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_public, views_reports

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("take-next/", views.take_next, name="take_next"),
    path("bulk/", views.inbox_bulk, name="inbox_bulk"),
    path("cases/<str:reference>/", views.case_detail, name="case_detail"),
    path("cases/<str:reference>/assign-me/", views.case_assign_me, name="case_assign_me"),
    path("cases/<str:reference>/presence/", views.case_presence, name="case_presence"),
    path(
        "cases/<str:reference>/request-rating/",
        views_public.case_request_rating,
        name="case_request_rating",
    ),
    path("cases/<str:reference>/<slug:action>/", views.case_action, name="case_action"),
    path("supervisor/", views.supervisor_dashboard, name="supervisor_dashboard"),
    path(
        "supervisor/escalations/<int:pk>/acknowledge/",
        views.escalation_acknowledge,
        name="escalation_acknowledge",
    ),
    path("reports/", views_reports.reports_page, name="reports"),
    path("reports/<slug:table>.csv", views_reports.report_csv, name="report_csv"),
    path("language/", views.set_language, name="set_language"),
    path("availability/", views.set_availability, name="set_availability"),
    path("notifications/", views.notifications_page, name="notifications"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
