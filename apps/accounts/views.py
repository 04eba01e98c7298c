from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts import services
from apps.accounts.forms import ProfileForm, SignupForm
from apps.accounts.models import ApiToken
from apps.core.ratelimit import limit, unknown_link
from apps.organizations.services import InvitationError, invitation_for_token


@limit("signup")
@limit("link-guess", methods=None, counts=unknown_link)
@require_http_methods(["GET", "POST"])
def signup(request):
    token = request.GET.get("invitation", "")
    invitation = None
    if token:
        try:
            invitation = invitation_for_token(token)
        except InvitationError as error:
            return render(
                request,
                "organizations/invitation_problem.html",
                {"error": error},
                status=error.status,
            )
    if request.user.is_authenticated and invitation is None:
        return redirect("organizations:home")
    form = SignupForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, organization = services.user_sign_up(
                name=data["name"],
                email=data["email"],
                password=data["password"],
                organization_name=data.get("organization_name", ""),
                invitation_token=token,
            )
        except InvitationError as error:  # used or expired between page load and submit
            return render(
                request,
                "organizations/invitation_problem.html",
                {"error": error},
                status=error.status,
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome! You are now a member of {organization.name}.")
        return redirect("organizations:dashboard", org_slug=organization.slug)
    return render(request, "accounts/signup.html", {"form": form, "invitation": invitation})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    new_token = None
    if request.method == "POST" and request.POST.get("action") == "create_token":
        _, new_token = services.api_token_create(
            user=request.user, name=request.POST.get("token_name", "")
        )
        messages.success(request, "Token created. Copy it now: it will not be shown again.")
    elif request.method == "POST" and request.POST.get("action") == "revoke_token":
        api_token = get_object_or_404(ApiToken, pk=request.POST.get("token"), user=request.user)
        services.api_token_revoke(api_token=api_token)
        messages.success(request, f"Token “{api_token.name}” revoked.")
        return redirect("accounts:profile")
    elif request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile was saved.")
        return redirect("accounts:profile")
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": request.user.api_tokens.filter(revoked_at__isnull=True),
    }
    return render(request, "accounts/profile.html", context)
