"""The respondent's thank-you page: their own result and, once it may be seen, the team's."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from apps.scoring.own_result import bank_rules, participant_own_result_and_counts
from apps.scoring.selectors import round_team_result
from apps.surveys import round_services
from apps.surveys.answer_views import participant_view


@participant_view
@require_GET
def done(request, participant, token):
    round_ = participant.round
    rules = bank_rules(round_.bank)
    own, counts = participant_own_result_and_counts(participant, rules)
    if own is None:
        return redirect("surveys:intro", token=token)
    context = {
        "round": round_,
        "own": own,
        "levels": rules.levels,  # the badges, explained in the bank's words
        "team": round_team_result(round_, viewer=participant, counts=counts),
        "link_days": settings.SURVEY_LINK_DAYS_AFTER_CLOSE,
        "link_expires": round_services.link_expires_at(round_),
    }
    return render(request, "surveys/done.html", context)
