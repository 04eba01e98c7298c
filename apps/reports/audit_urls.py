from django.urls import path

from apps.reports import audit_views

app_name = "audit"

urlpatterns = [
    path("o/<slug:org_slug>/audit/", audit_views.audit_log, name="log"),
]
