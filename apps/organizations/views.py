from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.models import User
from apps.core.dates import DAY, local
from apps.core.ratelimit import by_user, guard_links, limit
from apps.organizations import deletion, selectors, services
from apps.organizations.access import TeamAction, org_view, team_access
from apps.organizations.forms import (
    InvitationForm,
    InvitedSignupForm,
    OrganizationDeleteForm,
    OrganizationForm,
    RoleForm,
    TeamForm,
    TeamMemberAddForm,
)
from apps.organizations.home_page import checklist, home_sections, with_standings
from apps.organizations.models import Invitation, Membership, Role, TeamMembership
from apps.organizations.team_page import team_sections


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def home(request):
    """Logged out: the front page. Logged in: your organization, or a prompt to create one."""
    if not request.user.is_authenticated:
        return render(request, "organizations/landing.html")
    membership = (
        selectors.organizations_for_user(request.user).order_by("-role", "created_at").first()
    )
    if membership is None:
        return redirect("organizations:create")
    return redirect("organizations:dashboard", org_slug=membership.organization.slug)


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = services.organization_create(
            name=form.cleaned_data["name"],
            owner=request.user,
            time_zone=form.cleaned_data["time_zone"],
        )
        messages.success(request, f"{organization.name} is ready. Add your first team.")
        return redirect("organizations:team_list", org_slug=organization.slug)
    return render(request, "organizations/organization_create.html", {"form": form})


@org_view()
def dashboard(request, access):
    """The organization's home page (its Overview): what this person does first, by role
    (apps.organizations.home_page), then the teams they follow with where each stands."""
    overview = selectors.organization_overview(access)
    overview["overview_teams"] = with_standings(access, overview["overview_teams"])
    context = {
        "organization": access.organization,
        "checklist": checklist(access),
        "sections": home_sections(access),
        **overview,
    }
    return render(request, "organizations/dashboard.html", context)


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def organization_settings(request, access):
    form = OrganizationForm(request.POST or None, instance=access.organization)
    if request.method == "POST" and form.is_valid():
        services.organization_update(
            organization=access.organization,
            name=form.cleaned_data["name"],
            time_zone=form.cleaned_data["time_zone"],
        )
        messages.success(request, "Organization settings saved.")
        return redirect("organizations:settings", org_slug=access.organization.slug)
    organization = access.organization
    due = organization.deletion_due_at
    context = {
        "form": form,
        "delete_form": OrganizationDeleteForm(),
        "organization": organization,
        "deletion_due_on": date_format(local(due, organization.time_zone), DAY) if due else "",
    }
    return render(request, "organizations/settings.html", context)


@org_view(Role.OWNER)
@require_POST
def organization_delete(request, access):
    """Schedule the deletion 14 days ahead (apps/organizations/deletion.py)."""
    form = OrganizationDeleteForm(request.POST)
    if form.is_valid():
        try:
            deletion.organization_deletion_schedule(
                access=access, confirm_name=form.cleaned_data["confirm_name"]
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            organization = access.organization
            due = date_format(local(organization.deletion_due_at, organization.time_zone), DAY)
            messages.success(
                request,
                f"{access.organization.name} will be deleted on {due}. "
                "Any owner can cancel until then.",
            )
    return redirect("organizations:settings", org_slug=access.organization.slug)


@org_view(Role.OWNER)
@require_POST
def organization_delete_cancel(request, access):
    if deletion.organization_deletion_cancel(access=access):
        messages.success(request, f"The deletion of {access.organization.name} is cancelled.")
    return redirect("organizations:settings", org_slug=access.organization.slug)


@org_view()
@require_POST
def organization_leave(request, access):
    try:
        services.membership_remove(actor=access, membership=access.membership)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("organizations:dashboard", org_slug=access.organization.slug)
    messages.success(request, f"You left {access.organization.name}.")
    return redirect("organizations:home")


# --- Teams


@org_view()
@require_http_methods(["GET", "POST"])
def team_list(request, access):
    form = TeamForm(request.POST or None)
    if request.method == "POST":
        access.require(Role.ADMIN)
        if form.is_valid():
            try:
                team = services.team_create(organization=access.organization, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Team {team.name} created. Add its members.")
                return redirect(
                    "organizations:team_detail",
                    org_slug=access.organization.slug,
                    team_id=team.public_id,
                )
    show_archived = request.GET.get("archived") == "1"
    context = {
        "organization": access.organization,
        "teams": with_standings(access, selectors.teams_visible_to(access, archived=show_archived)),
        "show_archived": show_archived,
        "form": form,
    }
    return render(request, "organizations/team_list.html", context)


@org_view()
@require_http_methods(["GET", "POST"])
def team_detail(request, access, team_id):
    team = team_access(access, team_id, TeamAction.VIEW)
    may_manage = access.may(TeamAction.MANAGE, team)
    form = TeamForm(request.POST or None, instance=team)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied("Only admins can edit teams.")
        if form.is_valid():
            try:
                services.team_update(team=team, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Team saved.")
                return redirect(request.path)
        team.refresh_from_db()
    context = {
        "organization": access.organization,
        "team": with_standings(access, [team])[0],
        "sections": team_sections(access, team),
        "members": selectors.team_members(team),
        "may_manage": may_manage,
        "form": form,
        "add_form": TeamMemberAddForm(candidates=selectors.members_not_in_team(team))
        if may_manage
        else None,
    }
    return render(request, "organizations/team_detail.html", context)


@org_view(Role.ADMIN)
@require_POST
def team_archive(request, access, team_id):
    team = team_access(access, team_id, TeamAction.MANAGE)
    if request.POST.get("restore"):
        try:
            services.team_restore(team=team)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, f"Team {team.name} restored.")
    else:
        services.team_archive(team=team)
        messages.success(request, f"Team {team.name} archived. Its history is kept.")
    return redirect(
        "organizations:team_detail", org_slug=access.organization.slug, team_id=team.public_id
    )


@org_view(Role.ADMIN)
@require_POST
def team_member_add(request, access, team_id):
    team = team_access(access, team_id, TeamAction.MANAGE)
    form = TeamMemberAddForm(request.POST, candidates=selectors.members_not_in_team(team))
    if form.is_valid():
        membership = form.cleaned_data["membership"]
        services.team_member_add(
            team=team, membership=membership, is_lead=form.cleaned_data["is_lead"]
        )
        messages.success(request, f"{membership.user.display_name} joined {team.name}.")
    else:
        messages.error(request, "Choose a member of the organization who is not in the team yet.")
    return redirect(
        "organizations:team_detail", org_slug=access.organization.slug, team_id=team.public_id
    )


def _team_membership(team, member_id) -> TeamMembership:
    return get_object_or_404(
        TeamMembership.objects.select_related("membership__user"),
        team=team,
        membership__public_id=member_id,
    )


@org_view(Role.ADMIN)
@require_POST
def team_member_update(request, access, team_id, member_id):
    team = team_access(access, team_id, TeamAction.MANAGE)
    team_membership = _team_membership(team, member_id)
    name = team_membership.membership.user.display_name
    if request.POST.get("action") == "remove":
        services.team_member_remove(team_membership=team_membership)
        messages.success(request, f"{name} left {team.name}.")
    else:
        is_lead = request.POST.get("is_lead") == "1"
        services.team_lead_set(team_membership=team_membership, is_lead=is_lead)
        messages.success(
            request, f"{name} is {'now' if is_lead else 'no longer'} a lead of {team.name}."
        )
    return redirect(
        "organizations:team_detail", org_slug=access.organization.slug, team_id=team.public_id
    )


# --- Members and invitations


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
@limit("invitations", key=by_user)
def member_list(request, access):
    organization = access.organization
    roles = services.roles_assignable_by(access)
    teams = organization.teams.filter(archived_at__isnull=True)
    form = InvitationForm(request.POST or None, roles=roles, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _ = services.invitation_send(
                actor=access,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                teams=form.cleaned_data["teams"],
                invited_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("organizations:member_list", org_slug=organization.slug)
    search = request.GET.get("q", "").strip()
    context = {
        "organization": organization,
        "members": selectors.organization_members(organization, search=search),
        "invitations": selectors.pending_invitations(organization),
        "form": form,
        "search": search,
        "assignable_roles": roles,
        "manageable_role_values": {role.value for role in roles},
    }
    return render(request, "organizations/member_list.html", context)


def _membership(access, member_id) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"),
        organization=access.organization,
        public_id=member_id,
    )


@org_view(Role.ADMIN)
@require_POST
def member_update(request, access, member_id):
    membership = _membership(access, member_id)
    name = membership.user.display_name
    try:
        if request.POST.get("action") == "remove":
            services.membership_remove(actor=access, membership=membership)
            messages.success(request, f"{name} was removed from {access.organization.name}.")
        else:
            form = RoleForm(request.POST, roles=list(Role))
            if not form.is_valid():
                raise ValidationError("Choose a valid role.")
            services.membership_change_role(
                actor=access, membership=membership, role=form.cleaned_data["role"]
            )
            messages.success(
                request, f"{name} is now {Role(form.cleaned_data['role']).label.lower()}."
            )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    if membership.pk == access.membership.pk and request.POST.get("action") == "remove":
        return redirect("organizations:home")
    return redirect("organizations:member_list", org_slug=access.organization.slug)


@org_view(Role.ADMIN)
@require_POST
@limit("invitations", key=by_user)
def invitation_update(request, access, invitation_id):
    invitation = get_object_or_404(
        Invitation,
        organization=access.organization,
        public_id=invitation_id,
        accepted_at__isnull=True,
    )
    if request.POST.get("action") == "revoke":
        services.invitation_revoke(invitation=invitation)
        messages.success(request, f"The invitation for {invitation.email} was revoked.")
    else:
        try:
            services.invitation_send(
                actor=access,
                email=invitation.email,
                role=invitation.role,
                teams=list(invitation.teams.all()),
                invited_by=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"A fresh invitation link was sent to {invitation.email}.")
    return redirect("organizations:member_list", org_slug=access.organization.slug)


def _invitation_problem(request, error):
    return render(
        request, "organizations/invitation_problem.html", {"error": error}, status=error.status
    )


@guard_links("link-guess")
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The link in an invitation e-mail: explains, then joins (logged in as the invited address)."""
    try:
        invitation = services.invitation_for_token(token)
        if request.method == "POST":
            if not request.user.is_authenticated:
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            membership = services.invitation_accept(token=token, user=request.user)
            messages.success(request, f"Welcome to {membership.organization.name}!")
            return redirect("organizations:dashboard", org_slug=membership.organization.slug)
    except services.InvitationError as error:
        return _invitation_problem(request, error)
    context = {
        "invitation": invitation,
        "token": token,
        "has_account": User.objects.filter(email=invitation.email).exists(),
        "role_label": Role(invitation.role).label,
    }
    # Logged in as someone else: say so plainly, and refuse.
    wrong_user = request.user.is_authenticated and request.user.email != invitation.email
    return render(
        request, "organizations/invitation.html", context, status=403 if wrong_user else 200
    )


@limit("signup")
@guard_links("link-guess")
def invited_signup(request):
    """/accounts/signup/?invitation=<token>, through accounts' sign-up (INVITED_SIGNUP_VIEW): an
    account for the invited address, which joins at once; the link proved the address."""
    token = request.GET["invitation"]
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as error:
        return _invitation_problem(request, error)
    form = InvitedSignupForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user, organization = services.invitation_sign_up(
                token=token, name=form.cleaned_data["name"], password=form.cleaned_data["password"]
            )
        except services.InvitationError as error:  # used or expired between page load and submit
            return _invitation_problem(request, error)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome! You are now a member of {organization.name}.")
        return redirect("organizations:dashboard", org_slug=organization.slug)
    return render(request, "accounts/signup.html", {"form": form, "invitation": invitation})
