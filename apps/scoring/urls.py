from django.urls import path

from apps.scoring import dashboard_views, respondent_views, target_views, views

app_name = "scoring"

urlpatterns = [
    path("s/<str:token>/done/", respondent_views.done, name="done"),
    path("o/<slug:org_slug>/dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("o/<slug:org_slug>/dashboard.csv", dashboard_views.dashboard_csv, name="dashboard_csv"),
    path(
        "o/<slug:org_slug>/rounds/<uuid:round_id>/results/", views.round_result, name="round_result"
    ),
    path(
        "o/<slug:org_slug>/rounds/<uuid:round_id>/results.csv",
        views.round_result_csv,
        name="round_result_csv",
    ),
    path(
        "o/<slug:org_slug>/rounds/<uuid:round_id>/comments.csv",
        views.round_comments_csv,
        name="round_comments_csv",
    ),
    path(
        "o/<slug:org_slug>/teams/<uuid:team_id>/history/", views.team_history, name="team_history"
    ),
    path("o/<slug:org_slug>/targets/", target_views.organization_targets, name="targets"),
    path("o/<slug:org_slug>/targets/policy/", target_views.target_policy, name="target_policy"),
    path(
        "o/<slug:org_slug>/teams/<uuid:team_id>/targets/",
        target_views.team_targets,
        name="team_targets",
    ),
    path(
        "o/<slug:org_slug>/teams/<uuid:team_id>/history.csv",
        views.team_history_csv,
        name="team_history_csv",
    ),
]
