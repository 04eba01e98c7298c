from django.urls import path

from apps.plans import views

app_name = "plans"

urlpatterns = [
    path("o/<slug:org_slug>/teams/<uuid:team_id>/plan/new/", views.action_new, name="action_new"),
    path("o/<slug:org_slug>/teams/<uuid:team_id>/plan.csv", views.team_plan_csv, name="team_csv"),
    path("o/<slug:org_slug>/plan/", views.organization_plan, name="organization_plan"),
    path(
        "o/<slug:org_slug>/plan/new/",
        views.organization_action_new,
        name="organization_action_new",
    ),
    path("o/<slug:org_slug>/plans.csv", views.organization_plans_csv, name="organization_csv"),
    path("o/<slug:org_slug>/actions/<uuid:action_id>/", views.action_row, name="action_row"),
    path("o/<slug:org_slug>/actions/<uuid:action_id>/edit/", views.action_edit, name="action_edit"),
    path(
        "o/<slug:org_slug>/actions/<uuid:action_id>/status/",
        views.action_status,
        name="action_status",
    ),
    path(
        "o/<slug:org_slug>/actions/<uuid:action_id>/delete/",
        views.action_delete,
        name="action_delete",
    ),
]
