from django.urls import path

from apps.organizations import views

app_name = "organizations"

urlpatterns = [
    path("", views.home, name="home"),
    path("orgs/new/", views.organization_create, name="create"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("o/<slug:org_slug>/", views.dashboard, name="dashboard"),
    path("o/<slug:org_slug>/settings/", views.organization_settings, name="settings"),
    path("o/<slug:org_slug>/delete/", views.organization_delete, name="delete"),
    path(
        "o/<slug:org_slug>/delete/cancel/",
        views.organization_delete_cancel,
        name="delete_cancel",
    ),
    path("o/<slug:org_slug>/leave/", views.organization_leave, name="leave"),
    path("o/<slug:org_slug>/teams/", views.team_list, name="team_list"),
    path("o/<slug:org_slug>/teams/<uuid:team_id>/", views.team_detail, name="team_detail"),
    path(
        "o/<slug:org_slug>/teams/<uuid:team_id>/archive/", views.team_archive, name="team_archive"
    ),
    path(
        "o/<slug:org_slug>/teams/<uuid:team_id>/members/",
        views.team_member_add,
        name="team_member_add",
    ),
    path(
        "o/<slug:org_slug>/teams/<uuid:team_id>/members/<uuid:member_id>/",
        views.team_member_update,
        name="team_member_update",
    ),
    path("o/<slug:org_slug>/members/", views.member_list, name="member_list"),
    path("o/<slug:org_slug>/members/<uuid:member_id>/", views.member_update, name="member_update"),
    path(
        "o/<slug:org_slug>/invitations/<uuid:invitation_id>/",
        views.invitation_update,
        name="invitation_update",
    ),
]
