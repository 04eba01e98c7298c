"""Scoring's receivers of the survey hooks (apps.surveys.signals): surveys never scores."""

from django.dispatch import receiver

from apps.scoring import services
from apps.surveys.signals import response_submitted, responses_purging, round_closed


@receiver(response_submitted, dispatch_uid="scoring.response_score")
def _score_response(sender, response, **kwargs) -> None:
    services.response_score(response=response)


@receiver(round_closed, dispatch_uid="scoring.team_scores_store")
def _store_team_scores(sender, round_, **kwargs) -> None:
    services.team_scores_store(round_=round_)


@receiver(responses_purging, dispatch_uid="scoring.response_snapshots_delete")
def _delete_snapshots(sender, responses, **kwargs) -> None:
    services.response_snapshots_delete(responses=responses)
