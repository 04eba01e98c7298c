from django.urls import path

from apps.reports import views

app_name = "reports"

urlpatterns = [
    path("o/<slug:org_slug>/reports/", views.report_list, name="list"),
    path("o/<slug:org_slug>/reports/request/", views.report_request, name="request"),
    path("o/<slug:org_slug>/reports/<uuid:report_id>/status/", views.report_status, name="status"),
    path("o/<slug:org_slug>/reports/<uuid:report_id>/retry/", views.report_retry, name="retry"),
    path(
        "o/<slug:org_slug>/reports/<uuid:report_id>/download/",
        views.report_download,
        name="download",
    ),
]
