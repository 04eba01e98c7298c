"""Account pages: django-allauth's views under our templates, our limits and our URL names.

allauth's own URLs (e-mail confirmation, reset-by-key, …) are included after these from
config/urls.py; where a path is in both, ours (listed first) answers.
"""

from allauth.account import views as allauth_views
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.generic import RedirectView

from apps.accounts import views
from apps.core.ratelimit import limit, login_backoff


def _email(field):
    return lambda request: request.POST.get(field, "").strip().lower()


def _login_refused(request, wait: int, wait_text: str):
    """The log-in form again, saying how long to wait; the right password works after that."""
    from django.shortcuts import render

    from apps.accounts.forms import LoginForm

    form = LoginForm(initial={"login": request.POST.get("login", "")}, request=request)
    context = {"form": form, "wait": wait_text, "redirect_field_value": request.POST.get("next")}
    return render(request, "accounts/login.html", context, status=429)


def reset_limited(view):
    """Reset e-mails count per address and per account (no mail-bombing anyone)."""
    per_account = limit("password-reset-account", key=_email("email"))
    return limit("password-reset")(per_account(view))


app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path(
        "login/",
        login_backoff(
            allauth_views.LoginView.as_view(template_name="accounts/login.html"),
            refused=_login_refused,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("delete/", views.account_delete, name="delete"),
    # One address per account: allauth's page for managing several is not offered.
    path("email/", RedirectView.as_view(pattern_name="accounts:profile"), name="email"),
    # Single sign-on (apps.sso) links an account to one organization's provider by its own
    # rules: allauth's pages for connecting providers and for a sign-up form are not offered.
    path(
        "3rdparty/",
        RedirectView.as_view(pattern_name="accounts:profile"),
        name="social_connections",
    ),
    path(
        "3rdparty/signup/",
        RedirectView.as_view(pattern_name="accounts:login"),
        name="social_signup",
    ),
    path(
        "password/change/",
        allauth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        reset_limited(
            allauth_views.PasswordResetView.as_view(
                template_name="accounts/password_reset.html",
                success_url=reverse_lazy("accounts:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        allauth_views.PasswordResetDoneView.as_view(
            template_name="accounts/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
]
