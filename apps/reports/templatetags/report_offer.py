"""The request button's question, "can this report be built, and if not, why?", answered from
what the page already read where it can: `{% load report_offer %}{% report_unavailable scope
as reason %}`.

The round result page has the round's `result` and the team history its `points`; the
dashboard asks the database (one EXISTS) unless its `data` has a team. The rules are
`apps.reports.offer`'s. A round or team page without them gets None (the button shows, and the
request is refused with the reason if it must be)."""

from django import template

from apps.reports import offer

register = template.Library()


@register.simple_tag(takes_context=True)
def report_unavailable(context, scope: str) -> str | None:
    if scope == "round" and context.get("result") is not None:
        return offer.round_unavailable_note(context["result"])
    if scope == "team" and context.get("points") is not None:
        return offer.team_unavailable(any(point.visible for point in context["points"]))
    if scope == "organization":
        data = context.get("data")
        if data is not None and data.teams:
            return None
        # Filtered to a period or a team without a visible round, or not at hand: ask.
        return offer.unavailable_reason("organization", context["organization"])
    return None
