from django.urls import path

from apps.reports import export_views, views

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
    path("o/<slug:org_slug>/export/", export_views.export_page, name="export"),
    path("o/<slug:org_slug>/export/request/", export_views.export_request, name="export_request"),
    path(
        "o/<slug:org_slug>/export/<uuid:export_id>/status/",
        export_views.export_status,
        name="export_status",
    ),
    path(
        "o/<slug:org_slug>/export/<uuid:export_id>/download/",
        export_views.export_download,
        name="export_download",
    ),
]
