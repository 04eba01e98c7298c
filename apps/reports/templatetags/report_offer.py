"""The request button's question, "can this report be built, and if not, why?", answered from
what the page already read where it can: `{% load report_offer %}{% report_unavailable scope
as reason %}`.

The round result page has the round's `result`, the team history its `points`, the dashboard
its `data`; the rules are `apps.reports.offer`'s. A page without them gets None (the button
shows, and the request is refused with the reason if it must be)."""

from django import template

from apps.reports import offer

register = template.Library()


@register.simple_tag(takes_context=True)
def report_unavailable(context, scope: str) -> str | None:
    if scope == "round" and context.get("result") is not None:
        return offer.round_unavailable(context["result"])
    if scope == "team" and context.get("points") is not None:
        return offer.team_unavailable(any(point.visible for point in context["points"]))
    if scope == "organization" and context.get("data") is not None:
        if context["data"].teams:
            return None
        # The dashboard may be filtered to a period or a team without one: ask the database.
        return offer.unavailable_reason("organization", context["organization"])
    return None
