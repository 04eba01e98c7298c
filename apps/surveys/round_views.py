"""Pages for the people who run rounds: create, progress, invite, remind, edit, close."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.dates import closing_text
from apps.core.ratelimit import by_user, limit
from apps.organizations.access import TeamAction, org_view, team_access
from apps.organizations.models import Membership
from apps.surveys import bank_preview, round_selectors, round_services
from apps.surveys.access import round_access
from apps.surveys.forms import InviteForm, RoundForm
from apps.surveys.models import RoundStatus


def _round_url(access, round_):
    return redirect(
        "surveys:round_detail", org_slug=access.organization.slug, round_id=round_.public_id
    )


@org_view()
@require_http_methods(["GET", "POST"])
def round_create(request, access, team_id):
    team = team_access(access, team_id, TeamAction.LEAD)
    form = RoundForm(request.POST or None, time_zone=access.organization.time_zone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = round_services.round_create(
                team=team,
                bank=data["bank"],
                title=data["title"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                anonymous=data["anonymous"],
                min_respondents=data["min_respondents"],
                created_by=request.user,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, f"Round “{round_.title}” created. Now invite your colleagues."
            )
            return _round_url(access, round_)
    banks = bank_preview.previewable_banks()
    if not form.is_bound:
        form.initial.setdefault("title", f"{team.name} maturity check")
        chosen = _chosen_bank(request, banks)  # "Use this bank" on the preview
        if chosen is not None:
            form.initial["bank"] = chosen
    context = {
        "organization": access.organization,
        "team": team,
        "form": form,
        "creating": True,
        "banks": banks,
    }
    return render(request, "surveys/round_form.html", context)


def _chosen_bank(request, banks):
    """The bank named by `?bank=<id>` among `banks`, or None (absent, not a number, not one)."""
    try:
        bank_id = int(request.GET.get("bank", ""))
    except ValueError:
        return None
    return next((bank for bank in banks if bank.pk == bank_id), None)


@org_view()
@require_GET
def round_bank_preview(request, access, team_id):
    """The questions of a published bank, read-only, grouped by dimension with their options and
    levels: what the team will be asked, before the lead creates a round with it. `?bank=<id>`
    picks the bank (default: the one the round form offers first); 404 for any other bank."""
    team = team_access(access, team_id, TeamAction.LEAD)
    banks = bank_preview.previewable_banks()
    if not banks:
        raise Http404("No published question bank.")
    bank = _chosen_bank(request, banks) if "bank" in request.GET else banks[0]
    if bank is None:
        raise Http404("No such published question bank.")
    context = {
        "organization": access.organization,
        "team": team,
        "banks": banks,
        "preview": bank_preview.bank_preview(bank),
    }
    return render(request, "surveys/bank_preview.html", context)


@org_view()
@require_http_methods(["GET", "POST"])
def round_edit(request, access, round_id):
    """Before the first response, everything; after it, the title and the close date (the other
    fields are shown, disabled). A closed round is refused with the reason."""
    round_ = round_access(access, round_id, TeamAction.LEAD)
    if round_.status == RoundStatus.CLOSED:
        messages.error(
            request, f"“{round_.title}” is closed: its title and dates can no longer change."
        )
        return _round_url(access, round_)
    zone = access.organization.time_zone
    locked = round_services.round_has_responses(round_)
    form = RoundForm(
        request.POST or None,
        initial=RoundForm.initial_from_round(round_, zone),
        time_zone=zone,
        locked=locked,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if locked:  # what is shown disabled stays exactly as it is
            data = {
                **data,
                "bank": round_.bank,
                "opens_at": round_.opens_at,
                "anonymous": round_.anonymous,
                "min_respondents": round_.min_respondents,
            }
        closes_before = round_.closes_at
        try:
            round_ = round_services.round_update(
                round_=round_,
                title=data["title"],
                bank=data["bank"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                anonymous=data["anonymous"],
                min_respondents=data["min_respondents"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _saved_message(round_, closes_before, zone))
            return _round_url(access, round_)
    context = {
        "organization": access.organization,
        "team": round_.team,
        "round": round_,
        "form": form,
        "locked": locked,
    }
    return render(request, "surveys/round_form.html", context)


# The service's field names, as the form names them.
FORM_FIELDS = {"closes_at": "closes_on", "opens_at": "opens_on"}


def _form_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: beside the field it is about, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.message_dict.items():
        field = FORM_FIELDS.get(name, name)
        form.add_error(field if field in form.fields else None, problems)


def _saved_message(round_, closes_before, zone: str) -> str:
    if round_.closes_at == closes_before:
        return "Round saved."
    told = len(round_services.close_moved_recipients(round_))
    when = closing_text(round_.closes_at, zone, named=True)
    direction = "later" if round_.closes_at > closes_before else "earlier"
    people = (
        f" {told} {'person' if told == 1 else 'people'} who {'has' if told == 1 else 'have'} not "
        "submitted yet will be told by e-mail."
        if told
        else ""
    )
    return f"Round saved. It now closes {direction}: {when}.{people}"


def _team_member_emails(round_) -> list[str]:
    return list(
        Membership.objects.filter(team_memberships__team=round_.team)
        .exclude(user__email__in=round_.participants.values("email"))
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


@org_view()
@require_GET
def round_detail(request, access, round_id):
    round_ = round_access(access, round_id, TeamAction.LEAD)
    context = {
        "organization": access.organization,
        "round": round_,
        "progress": round_selectors.round_progress(round_),
        "invite_form": InviteForm(member_emails=_team_member_emails(round_)),
        "locked": round_services.round_has_responses(round_),
    }
    return render(request, "surveys/round_detail.html", context)


@org_view()
@require_GET
def round_progress(request, access, round_id):
    """The progress numbers, which the page polls with htmx, and the pending list's count and
    items out of band: the list's <details> stays on the page, open if the lead opened it."""
    round_ = round_access(access, round_id, TeamAction.LEAD)
    context = {
        "organization": access.organization,
        "round": round_,
        "progress": round_selectors.round_progress(round_),
        "polled": True,
    }
    return render(request, "surveys/_progress.html", context)


def _some(emails: list[str], shown: int = 20) -> str:
    more = len(emails) - shown
    return ", ".join(emails[:shown]) + (f" and {more} more" if more > 0 else "")


@org_view()
@require_POST
@limit("invitations", key=by_user)
def round_invite(request, access, round_id):
    round_ = round_access(access, round_id, TeamAction.LEAD)
    form = InviteForm(request.POST, member_emails=_team_member_emails(round_))
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        return _round_url(access, round_)
    try:
        result = round_services.participants_invite(
            round_=round_, emails=form.cleaned_data["valid"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _round_url(access, round_)
    if result.added:
        messages.success(request, f"Invited {len(result.added)}: {', '.join(result.added)}.")
    if result.over_request_cap:
        count = len(result.over_request_cap)
        messages.error(
            request,
            f"{count} address{'es were' if count != 1 else ' was'} not invited: at most "
            f"{settings.ROUND_INVITES_PER_REQUEST} new people per paste. Paste the rest again: "
            f"{_some(result.over_request_cap)}.",
        )
    if result.over_daily_cap:
        count = len(result.over_daily_cap)
        messages.error(
            request,
            f"{count} address{'es were' if count != 1 else ' was'} not invited: a round invites at "
            f"most {settings.ROUND_INVITES_PER_ROUND_PER_DAY} new people in 24 hours. Try again "
            f"tomorrow: {_some(result.over_daily_cap)}.",
        )
    if result.already_invited:
        messages.info(request, f"Already invited: {', '.join(result.already_invited)}.")
    for bad in form.cleaned_data["invalid"]:
        messages.error(
            request, f"“{bad}” is not a valid e-mail address; nobody was invited for it."
        )
    return _round_url(access, round_)


@org_view()
@require_POST
@limit("invitations", key=by_user)
def round_remind(request, access, round_id):
    round_ = round_access(access, round_id, TeamAction.LEAD)
    try:
        queued = round_services.participants_remind(round_=round_)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if queued:
            messages.success(
                request,
                f"Reminder sent to {queued} pending participant{'s' if queued != 1 else ''}.",
            )
        else:
            messages.info(
                request, "Nobody to remind: everyone pending was reminded in the last 24 hours."
            )
    return _round_url(access, round_)


@org_view()
@require_POST
def round_close(request, access, round_id):
    round_ = round_access(access, round_id, TeamAction.LEAD)
    if round_services.round_close(round_=round_):
        messages.success(request, f"“{round_.title}” is closed. No more answers are accepted.")
    else:
        messages.info(request, f"“{round_.title}” was already closed.")
    return _round_url(access, round_)


@org_view()
@require_GET
def round_people(request, access, round_id):
    """Everyone invited, with their link's state; a lead revokes a leaked or wrong link here."""
    round_ = round_access(access, round_id, TeamAction.LEAD)
    context = {
        "organization": access.organization,
        "round": round_,
        "people": round_selectors.round_people(round_),
        "link_days": settings.SURVEY_LINK_DAYS_AFTER_CLOSE,
        "link_expires": round_services.link_expires_at(round_),
    }
    return render(request, "surveys/round_people.html", context)


@org_view()
@require_POST
def participant_revoke(request, access, round_id):
    """Revoke the link of the participant posted as `participant` (their public id)."""
    round_ = round_access(access, round_id, TeamAction.LEAD)
    try:
        participant_id = uuid.UUID(request.POST.get("participant", ""))
    except ValueError:
        participant = None
    else:
        participant = round_services.participant_revoke(
            round_=round_, participant_public_id=participant_id
        )
    if participant is None:
        messages.error(request, "That person is not invited to this round; nothing was revoked.")
    else:
        messages.success(
            request,
            f"The link of {participant.email} is revoked: it no longer opens anything. "
            "Answers already submitted still count.",
        )
    return redirect(
        "surveys:round_people", org_slug=access.organization.slug, round_id=round_.public_id
    )
