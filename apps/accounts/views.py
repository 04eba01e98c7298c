from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_http_methods

from apps.accounts import deletion, services
from apps.accounts.forms import ProfileForm
from apps.accounts.models import ApiToken
from apps.core.ratelimit import limit

_allauth_signup = allauth_views.SignupView.as_view(template_name="accounts/signup.html")


@require_http_methods(["GET", "POST"])
def signup(request):
    """Sign-up: through an invitation link (the link proves the address), or allauth's own
    (which e-mails a link to verify the address before the account can log in). The first is
    organizations' view (settings.INVITED_SIGNUP_VIEW), which accounts cannot import."""
    if request.GET.get("invitation"):
        return import_string(settings.INVITED_SIGNUP_VIEW)(request)
    if request.user.is_authenticated:
        return redirect("organizations:home")
    return _open_signup(request)


@limit("signup")
def _open_signup(request):
    return _allauth_signup(request)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    new_token = None
    if request.method == "POST" and request.POST.get("action") == "create_token":
        try:
            _, new_token = services.api_token_create(
                user=request.user, name=request.POST.get("token_name", "")
            )
        except services.EmailNotVerified as error:
            messages.error(request, str(error))
            return redirect("accounts:profile")
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


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """Delete one's own account, after typing its address (apps/accounts/deletion.py)."""
    error = ""
    if request.method == "POST":
        typed = request.POST.get("confirm_email", "").strip().lower()
        if typed != request.user.email.lower():
            error = "Type your e-mail address exactly to delete your account."
        else:
            try:
                deletion.account_delete(user=request.user)
            except ProtectedError as refused:
                error = refused.args[0]
            else:
                logout(request)
                messages.success(request, "Your account was deleted.")
                return redirect("/")
    status = 400 if error else 200
    return render(request, "accounts/account_delete.html", {"error": error}, status=status)
