from django.urls import path

from apps.surveys import answer_views, round_views

app_name = "surveys"

urlpatterns = [
    path("surveys/", answer_views.my_surveys, name="mine"),
    path("s/<str:token>/", answer_views.intro, name="intro"),
    path("s/<str:token>/page/<int:number>/", answer_views.page, name="page"),
    path("s/<str:token>/answer/", answer_views.answer, name="answer"),
    path("s/<str:token>/note/", answer_views.note, name="note"),
    path("s/<str:token>/review/", answer_views.review, name="review"),
    path("s/<str:token>/submit/", answer_views.submit, name="submit"),
    path(
        "o/<slug:org_slug>/teams/<uuid:team_id>/rounds/new/",
        round_views.round_create,
        name="round_create",
    ),
    path(
        "o/<slug:org_slug>/teams/<uuid:team_id>/rounds/new/questions/",
        round_views.round_bank_preview,
        name="round_bank_preview",
    ),
    path(
        "o/<slug:org_slug>/rounds/<uuid:round_id>/", round_views.round_detail, name="round_detail"
    ),
    path(
        "o/<slug:org_slug>/rounds/<uuid:round_id>/progress/",
        round_views.round_progress,
        name="round_progress",
    ),
    path(
        "o/<slug:org_slug>/rounds/<uuid:round_id>/edit/", round_views.round_edit, name="round_edit"
    ),
    path(
        "o/<slug:org_slug>/rounds/<uuid:round_id>/invite/",
        round_views.round_invite,
        name="round_invite",
    ),
    path(
        "o/<slug:org_slug>/rounds/<uuid:round_id>/remind/",
        round_views.round_remind,
        name="round_remind",
    ),
    path(
        "o/<slug:org_slug>/rounds/<uuid:round_id>/people/",
        round_views.round_people,
        name="round_people",
    ),
    path(
        "o/<slug:org_slug>/rounds/<uuid:round_id>/people/revoke/",
        round_views.participant_revoke,
        name="participant_revoke",
    ),
    path(
        "o/<slug:org_slug>/rounds/<uuid:round_id>/close/",
        round_views.round_close,
        name="round_close",
    ),
]
