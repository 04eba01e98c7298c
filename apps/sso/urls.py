from django.urls import path

from apps.sso import views

app_name = "sso"

urlpatterns = [
    path("accounts/sso/", views.start, name="start"),
    path("accounts/sso/discover/", views.discover, name="discover"),
    path("o/<slug:org_slug>/settings/sso/", views.sso_settings, name="settings"),
    path("o/<slug:org_slug>/settings/sso/test/", views.test_sign_in, name="test"),
]
