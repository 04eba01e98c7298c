"""Plan pages: the plan on the team page (a section), a new action (by hand or from a next
step), inline edits with htmx, and the CSV downloads.

Every write works twice: with htmx the plan section is swapped in place (a form with bad input
comes back with its messages and a 400); without JavaScript the form posts, and the browser is
sent back to the team page (or shown the form again with its messages, a 400).
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator, slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from apps.organizations.access import OrgAccess, org_view
from apps.organizations.models import Role, Team
from apps.plans import csv_formats, selectors, services
from apps.plans.access import (
    action_access,
    may_write,
    may_write_plan,
    plan_team,
    status_access,
)
from apps.plans.forms import ActionForm
from apps.plans.models import Action, ActionSource, ActionStatus
from apps.plans.services import DONE_WHEN_MAX, TITLE_MAX, QuestionRef
from apps.scoring.csv_export import csv_response
from apps.scoring.patterns import Pattern, organization_patterns
from apps.surveys.models import QuestionBank, Round

BAD_INPUT = 400


def plan_section(access: OrgAccess, team: Team, *, form: ActionForm | None = None) -> dict:
    """What the plan section of the team page shows: the plan and its counts, and `form`, a
    new-action form coming back with its messages. The empty form is fetched when asked for
    ("New action"), so the team page reads no more than the plan: a bounded number of queries,
    whatever its size."""
    today = selectors.today_for(access.organization)
    actions = selectors.team_plan(team, today=today)
    writable = may_write_plan(access, team) and not team.is_archived
    return {
        "actions": actions,
        "summary": selectors.summary_of(actions, today=today),
        "may_write": writable,
        "form": form if writable else None,
        "today": today,
        "formats": csv_formats.FORMATS,
    }


def _team_url(access: OrgAccess, team: Team | None, action: Action | None = None) -> str:
    """Where a plan's action is shown: its team's page, or the organization plan (`team`
    None)."""
    if team is None:
        url = reverse("plans:organization_plan", args=[access.organization.slug])
    else:
        url = reverse("organizations:team_detail", args=[access.organization.slug, team.public_id])
    return f"{url}#action-{action.public_id}" if action else f"{url}#plan"


def _section_response(request, access: OrgAccess, team: Team, *, status=200, form=None):
    context = {
        "organization": access.organization,
        "team": team,
        "section": plan_section(access, team, form=form),
    }
    response = render(request, "plans/_plan.html", context, status=status)
    return reswap(retarget(response, "#plan"), "outerHTML")


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _source_round(team: Team, value) -> Round | None:
    if not value:
        return None
    round_ = Round.objects.filter(team=team, public_id=value).first()
    if round_ is None:
        raise ValidationError("That next step is from another team's round.")
    return round_


def _prefill(request, team: Team) -> dict:
    """The new-action form's first values from the link ("Add to plan" on a next step)."""
    get = request.GET
    initial = {
        "title": get.get("title", "")[:TITLE_MAX],
        "done_when": get.get("done_when", "")[:DONE_WHEN_MAX],
        "question": get.get("question", "")[:90],
    }
    try:
        round_id = uuid.UUID(get.get("round", ""))
    except ValueError:
        round_id = None
    if round_id and Round.objects.filter(team=team, public_id=round_id).exists():
        initial["source_round"] = round_id
    return {key: value for key, value in initial.items() if value}


def _existing_step_action(team: Team, initial: dict) -> Action | None:
    if "source_round" not in initial or "question" not in initial:
        return None
    try:
        question = QuestionRef.parse(initial["question"])
    except ValidationError:
        return None
    round_ = Round.objects.filter(team=team, public_id=initial["source_round"]).first()
    if question is None or round_ is None:
        return None
    return selectors.open_step_action(team, round_, question.bank_slug, question.code)


@org_view()
@require_http_methods(["GET", "POST"])
def action_new(request, access, team_id):
    team = plan_team(access, team_id, write=True)
    if request.method == "GET":
        initial = _prefill(request, team)
        existing = _existing_step_action(team, initial)
        form = ActionForm(organization=access.organization, team=team, initial=initial)
        context = {
            "organization": access.organization,
            "team": team,
            "form": form,
            "existing": existing,
            "from_step": "source_round" in initial,
        }
        if request.htmx:  # "New action" on the plan: the form in place
            return render(request, "plans/_action_new.html", context)
        return render(request, "plans/action_form.html", context)
    form = ActionForm(request.POST, organization=access.organization, team=team)
    if form.is_valid():
        data = form.cleaned_data
        try:
            action, created = _create_from_form(
                access.organization,
                team,
                data,
                request.user,
                source_round=_source_round(team, data["source_round"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if created:
                messages.success(request, f"Added “{action.title}” to the plan.")
            else:
                messages.info(request, f"“{action.title}” is in the plan already.")
            if request.htmx:
                return _section_response(request, access, team)
            return redirect(_team_url(access, team, action))
    if request.htmx:
        return _section_response(request, access, team, status=BAD_INPUT, form=form)
    context = {"organization": access.organization, "team": team, "form": form}
    return render(request, "plans/action_form.html", context, status=BAD_INPUT)


def _create_from_form(organization, team, data: dict, user, **source):
    """`services.action_create` with a valid ActionForm's fields (`team` None: an organization
    action); `source`: where it comes from (`source_round=` or `source=`)."""
    return services.action_create(
        organization=organization,
        team=team,
        title=data["title"],
        created_by=user,
        owner=data["owner"],
        due_date=data["due_date"],
        done_when=data["done_when"],
        notes=data["notes"],
        question=data["question"],
        status=data["status"],
        form_token=data["form_token"],
        **source,
    )


def _edit_response(request, access, action, form, *, status=200):
    context = {"organization": access.organization, "team": action.team, "action": action}
    context["form"] = form
    if request.htmx and action.team is not None:
        return render(request, "plans/_action_edit.html", context, status=status)
    return render(request, "plans/action_form.html", context, status=status)


def _team_action(access, action_id, *, write: bool) -> Action:
    """An action of a team's plan or of the organization's (`action_access`)."""
    return action_access(access, action_id, write=write)


def _after_write(request, access, action_or_team):
    """The response to a write: with htmx the team's plan section; else back to the plan."""
    team = action_or_team.team if isinstance(action_or_team, Action) else action_or_team
    action = action_or_team if isinstance(action_or_team, Action) else None
    if request.htmx and team is not None:
        return _section_response(request, access, team)
    return redirect(_team_url(access, team, action))


@org_view()
@require_http_methods(["GET", "POST"])
def action_edit(request, access, action_id):
    action = _team_action(access, action_id, write=True)
    if request.method == "GET":
        form = ActionForm(organization=access.organization, team=action.team, action=action)
        return _edit_response(request, access, action, form)
    form = ActionForm(
        request.POST, organization=access.organization, team=action.team, action=action
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            action = services.action_update(
                action=action,
                title=data["title"],
                owner=data["owner"],
                due_date=data["due_date"],
                done_when=data["done_when"],
                notes=data["notes"],
                question=data["question"],
                status=data["status"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved “{action.title}”.")
            return _after_write(request, access, action)
    return _edit_response(request, access, action, form, status=BAD_INPUT)


@org_view()
@require_GET
def action_row(request, access, action_id):
    """One action: its row of the plan (htmx: "Cancel" on an inline edit), or a page of its own
    (a permanent address)."""
    action = _team_action(access, action_id, write=False)
    today = selectors.today_for(access.organization)
    [action] = selectors.plan_actions(
        Action.objects.filter(pk=action.pk).select_related("created_by"), today=today
    )
    archived = action.team is not None and action.team.is_archived
    context = {
        "organization": access.organization,
        "team": action.team,
        "action": action,
        "section": {"may_write": may_write(access, action) and not archived},
    }
    template = "plans/_action.html" if request.htmx else "plans/action_page.html"
    return render(request, template, context)


@org_view()
@require_POST
def action_status(request, access, action_id):
    """Set an action's status (the plan's status menu): those who may change the plan, and the
    action's owner (to do, doing or done)."""
    status = request.POST.get("status", "")
    action = status_access(access, action_id, status)
    try:
        action = services.action_update(action=action, status=status)
    except ValidationError as error:
        return _refused(request, access, action.team, _error_text(error))
    messages.success(
        request, f"“{action.title}” is now {ActionStatus(action.status).label.lower()}."
    )
    return _after_write(request, access, action)


@org_view()
@require_POST
def action_delete(request, access, action_id):
    action = _team_action(access, action_id, write=True)
    team, title = action.team, action.title
    try:
        services.action_delete(action=action)
    except ValidationError as error:
        return _refused(request, access, team, _error_text(error))
    messages.success(request, f"Deleted “{title}” from the plan.")
    return _after_write(request, access, team)


def _refused(request, access, team, text: str):
    """A write refused for a reason the person must read: with htmx, the plan section with the
    message (400); without, the team page with the message."""
    messages.error(request, text)
    if request.htmx and team is not None:
        return _section_response(request, access, team, status=BAD_INPUT)
    return redirect(_team_url(access, team))


# --- CSV


def _csv(request, filename_stem: str, actions, *, organization):
    chosen = csv_formats.FORMATS.get(request.GET.get("for", ""), csv_formats.SPREADSHEET)
    header, rows = chosen.table(actions, organization=organization)
    return csv_response(f"{filename_stem}{chosen.suffix}.csv", header, rows)


@org_view()
@require_GET
def team_plan_csv(request, access, team_id):
    team = plan_team(access, team_id, write=False)
    today = selectors.today_for(access.organization)
    actions = selectors.team_plan(team, today=today)
    stem = f"{slugify(access.organization.name)}_{slugify(team.name)}_plan_{today.isoformat()}"
    return _csv(request, stem, actions, organization=access.organization)


@org_view(Role.EXECUTIVE)
@require_GET
def organization_plans_csv(request, access):
    today = selectors.today_for(access.organization)
    actions = selectors.organization_plans(access.organization, today=today)
    stem = f"{slugify(access.organization.name)}_plans_{today.isoformat()}"
    return _csv(request, stem, actions, organization=access.organization)


# --- The organization's own plan


def _pattern_prefill(access: OrgAccess, request) -> tuple[dict, Pattern | None]:
    """The new organization action's first values from "Make it an organization action" beside
    an organization pattern (`?bank=<bank id>&code=<question code>`): the pattern as the
    dashboard shows it now, none when it is no longer weak across teams."""
    bank, code = request.GET.get("bank", ""), request.GET.get("code", "")[:30]
    if not bank.isdigit() or not code:
        return {}, None
    pattern = next(
        (
            p
            for p in organization_patterns(access.organization)
            if p.bank_id == int(bank) and p.code == code
        ),
        None,
    )
    if pattern is None:
        return {}, None
    slug = QuestionBank.objects.get(pk=pattern.bank_id).slug
    done_when = pattern.recommendation or (
        f"{pattern.code} is above {pattern.level_name} in every team's next round."
    )
    initial = {
        "title": Truncator(
            f"{pattern.code} to {pattern.next_level_name} across teams: {pattern.text}"
        ).chars(TITLE_MAX),
        "done_when": Truncator(done_when).chars(DONE_WHEN_MAX),
        "question": f"{slug}:{pattern.code}",
        "from_pattern": True,
    }
    return initial, pattern


@org_view(Role.EXECUTIVE)
@require_http_methods(["GET", "POST"])
def organization_action_new(request, access):
    """A new organization-level action, by hand or from an organization pattern (executives,
    admins and owners): the form, filled in from the pattern; one open action per pattern."""
    organization = access.organization
    if request.method == "GET":
        initial, pattern = _pattern_prefill(access, request)
        existing = None
        if pattern is not None:
            existing = services.open_pattern_action(
                organization, QuestionRef.parse(initial["question"])
            )
        context = {
            "organization": organization,
            "team": None,
            "form": ActionForm(organization=organization, team=None, initial=initial),
            "existing": existing,
            "pattern": pattern,
        }
        return render(request, "plans/organization_action_form.html", context)
    form = ActionForm(request.POST, organization=organization, team=None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            action, created = _create_from_form(
                organization,
                None,
                data,
                request.user,
                source=ActionSource.PATTERN if data["from_pattern"] else ActionSource.HAND,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if created:
                messages.success(request, f"Added “{action.title}” to the organization plan.")
            else:
                messages.info(request, f"“{action.title}” is in the organization plan already.")
            return redirect(_team_url(access, None, action))
    context = {"organization": organization, "team": None, "form": form}
    return render(request, "plans/organization_action_form.html", context, status=BAD_INPUT)


@org_view(Role.EXECUTIVE)
@require_GET
def organization_plan(request, access):
    """The organization's own actions (platform investments, often from organization
    patterns): executives, admins and owners read and change them."""
    today = selectors.today_for(access.organization)
    actions = selectors.plan_actions(
        Action.objects.filter(organization=access.organization, team__isnull=True), today=today
    )
    context = {
        "organization": access.organization,
        "team": None,
        "actions": actions,
        "section": {"may_write": may_write_plan(access, None)},
        "summary": selectors.summary_of(actions, today=today),
    }
    return render(request, "plans/organization_plan.html", context)
