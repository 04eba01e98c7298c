"""The Targets pages: the organization's defaults and policy, and a team's own targets.

Through the tenant gate: an outsider gets 404; the organization's page needs an executive (its
policy an admin); a team's page is read by whoever may see the team and changed by its leads,
admins and owners (403 otherwise). Bad input is said in words, with a 400.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.organizations.access import TeamAction, org_view, team_access
from apps.organizations.models import Role
from apps.scoring import targets


class TargetForm(forms.Form):
    bank = forms.SlugField(max_length=50)
    dimension = forms.SlugField(max_length=50)
    action = forms.ChoiceField(choices=[("save", "Save"), ("clear", "Clear")], required=False)
    level = forms.IntegerField(min_value=1, max_value=32767, required=False)
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("action") != "clear" and not self.errors:
            if data.get("level") is None:
                self.add_error("level", "Choose a target level.")
            if data.get("due") is None:
                self.add_error("due", "Give the date the target should be reached by.")
        return data


def _form_error(form: forms.Form) -> str:
    labels = {"level": "Level", "due": "Target date", "bank": "Bank", "dimension": "Dimension"}
    return " ".join(
        f"{labels.get(field, field.title())}: {' '.join(errors)}"
        if field != "__all__"
        else " ".join(errors)
        for field, errors in form.errors.items()
    )


def _apply(request, access, team=None) -> str | None:
    """Save or clear the target the form names; the error to show, or None when done."""
    form = TargetForm(request.POST)
    if not form.is_valid():
        return _form_error(form)
    data = form.cleaned_data
    try:
        if data["action"] == "clear":
            targets.target_clear(
                access=access, bank_slug=data["bank"], dimension_key=data["dimension"], team=team
            )
            messages.success(request, "Target removed.")
        else:
            targets.target_set(
                access=access,
                bank_slug=data["bank"],
                dimension_key=data["dimension"],
                level=data["level"],
                due=data["due"],
                team=team,
            )
            messages.success(request, "Target saved.")
    except ValidationError as error:
        return " ".join(error.messages)
    return None


@org_view(Role.EXECUTIVE)
@require_http_methods(["GET", "POST"])
def organization_targets(request, access):
    error = _apply(request, access) if request.method == "POST" else None
    if request.method == "POST" and error is None:
        return redirect("scoring:targets", org_slug=access.organization.slug)
    context = {
        "organization": access.organization,
        "banks": targets.target_page(access.organization),
        "teams_may_go_below": targets.teams_may_go_below(access.organization),
        "may_set_policy": access.has_role(Role.ADMIN),
        "error": error,
    }
    return render(request, "scoring/targets.html", context, status=400 if error else 200)


@org_view(Role.ADMIN)
@require_POST
def target_policy(request, access):
    allowed = request.POST.get("teams_may_go_below") in ("on", "1", "true")
    targets.target_policy_set(access=access, teams_may_go_below=allowed)
    messages.success(
        request,
        "Teams may now set their own targets below the organization's default."
        if allowed
        else "Teams' own targets may no longer be below the organization's default.",
    )
    return redirect("scoring:targets", org_slug=access.organization.slug)


@org_view()
@require_http_methods(["GET", "POST"])
def team_targets(request, access, team_id):
    action = TeamAction.LEAD if request.method == "POST" else TeamAction.VIEW
    team = team_access(access, team_id, action)
    error = _apply(request, access, team) if request.method == "POST" else None
    if request.method == "POST" and error is None:
        return redirect(
            "scoring:team_targets", org_slug=access.organization.slug, team_id=team.public_id
        )
    context = {
        "organization": access.organization,
        "team": team,
        "banks": targets.target_page(access.organization, team),
        "teams_may_go_below": targets.teams_may_go_below(access.organization),
        "may_set": access.may(TeamAction.LEAD, team),
        "error": error,
    }
    return render(request, "scoring/targets_team.html", context, status=400 if error else 200)
