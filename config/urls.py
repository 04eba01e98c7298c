from django.contrib import admin
from django.urls import include, path

from apps.core import views as core_views
from apps.core.ratelimit import login_backoff
from config.api import api

admin.site.site_header = "Maturity administration"
admin.site.site_title = "Maturity admin"
admin.site.index_title = "Question banks, organizations and people"
admin.site.login = login_backoff(admin.site.login, email_field="username")  # same limits as ours

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("dev/outbox/", core_views.outbox, name="outbox"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("apps.accounts.urls")),
    path("", include("apps.sso.urls")),  # /accounts/sso/ and /o/<slug>/settings/sso/
    path("accounts/", include("allauth.urls")),
    path("", include("apps.surveys.urls")),
    path("", include("apps.scoring.urls")),
    path("", include("apps.plans.urls")),
    path("", include("apps.reports.urls")),
    path("", include("apps.reports.audit_urls")),  # /o/<slug>/audit/
    path("", include("apps.organizations.urls")),
]

handler400 = "apps.core.views.bad_request"
handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
