"""The owner's single sign-on settings, the test sign-in, and the start of a sign-in from the
log-in page (by the e-mail address's domain)."""

from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.forms import LoginForm
from apps.core.ratelimit import limit
from apps.core.text import normalize_email
from apps.organizations.access import org_view
from apps.organizations.models import Role
from apps.sso import adapter, selectors, services
from apps.sso.forms import DomainForm, IdentityProviderForm
from apps.sso.models import SsoDomain


def _begin(request, slug: str, auth_params: dict, next_url: str = ""):
    """Hand over to allauth's openid_connect log-in view, as a POST (it refuses to start a
    sign-in from a GET): it stores the state and PKCE verifier and redirects to the provider."""
    data = QueryDict(mutable=True)
    data["process"] = "login"
    data["auth_params"] = urlencode({k: v for k, v in auth_params.items() if v})
    if next_url:
        data["next"] = next_url
    request.POST = data
    request.GET = data  # allauth reads auth_params from the query string only
    response = oidc_views.login(request, provider_id=slug)
    if response.status_code != 302:
        return response
    # Our Content-Security-Policy allows forms to reach this site only (form-action 'self'),
    # and browsers apply that to where a form's answer redirects: the provider is reached by a
    # page that moves on by itself (and offers the link, should it not).
    provider_name = selectors.identity_provider(slug).organization.name
    context = {"location": response["Location"], "provider_name": provider_name}
    return render(request, "sso/continue.html", context)


@require_POST
@limit("sso-start")
def start(request):
    """ "Sign in with your company (SSO)": the organization that verified the address's domain
    signs it in; any other address is told to use its password."""
    email = normalize_email(request.POST.get("login", ""))
    found = selectors.verified_domain(email) if "@" in email else None
    if found is None:
        domain = selectors.domain_of(email) if "@" in email else ""
        error = (
            f"No organization signs in {domain} addresses with single sign-on. "
            "Log in with your password."
            if domain
            else "Enter your work e-mail address, then choose “Sign in with your company (SSO)”."
        )
        form = LoginForm(initial={"login": email}, request=request)
        context = {
            "form": form,
            "sso_error": error,
            "redirect_field_value": request.POST.get("next"),
        }
        return render(request, "accounts/login.html", context, status=400)
    return _begin(
        request,
        found.organization.slug,
        {"login_hint": email},
        next_url=request.POST.get("next", ""),
    )


@require_GET
def discover(request):
    """The log-in page asks while the address is typed (htmx): a hint and a button when its
    domain signs in through an organization's provider, nothing otherwise. It says which
    domains use single sign-on, as the button would; nothing about any account."""
    email = normalize_email(request.GET.get("login", ""))
    found = selectors.verified_domain(email) if "@" in email else None
    return render(request, "sso/_discover.html", {"found": found})


def _redirect_uri(organization) -> str:
    path = reverse(selectors.CALLBACK_URL_NAME, kwargs={"provider_id": organization.slug})
    return f"{settings.SITE_URL}{path}"


@org_view(Role.OWNER)
@require_http_methods(["GET", "POST"])
def sso_settings(request, access):
    organization = access.organization
    provider = selectors.identity_provider(organization.slug)
    action = request.POST.get("action") if request.method == "POST" else None
    form = IdentityProviderForm(request.POST if action == "save" else None, instance=provider)
    domain_form = DomainForm(request.POST if action == "add_domain" else None)
    back = redirect("sso:settings", org_slug=organization.slug)
    if action == "save" and form.is_valid():
        try:
            saved = services.identity_provider_save(
                organization=organization,
                issuer=form.cleaned_data["issuer"],
                client_id=form.cleaned_data["client_id"],
                client_secret=form.cleaned_data["client_secret"],
                jit_provisioning=form.cleaned_data["jit_provisioning"],
                enforced=form.cleaned_data["enforced"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Single sign-on settings saved. Run a test sign-in."
                + (
                    f" {services.signed_out_text(saved.signed_out)}, and sign in again through it."
                    if saved.signed_out
                    else ""
                ),
            )
            return back
    elif action == "add_domain" and domain_form.is_valid():
        try:
            added = services.domain_add(
                organization=organization, domain=domain_form.cleaned_data["domain"]
            )
        except ValidationError as error:
            domain_form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{added.domain} added. Verify it with a test sign-in as yourself, "
                f"with your address at {added.domain}.",
            )
            return back
    elif action == "remove_domain":
        services.domain_remove(organization=organization, domain=request.POST.get("domain", ""))
        messages.success(request, "Domain removed.")
        return back
    elif action == "delete" and provider is not None:
        services.identity_provider_delete(organization=organization)
        messages.success(request, "Single sign-on removed. Members log in with a password again.")
        return back
    elif action and action not in ("save", "add_domain"):
        messages.error(request, "Unknown action.")
        return back
    status = 400 if request.method == "POST" else 200
    context = {
        "organization": organization,
        "provider": provider,
        "form": form,
        "domain_form": domain_form,
        "domains": SsoDomain.objects.filter(organization=organization),
        "redirect_uri": _redirect_uri(organization),
        "user_domain": selectors.domain_of(request.user.email),
    }
    return render(request, "sso/settings.html", context, status=status)


@org_view(Role.OWNER)
@require_POST
def test_sign_in(request, access):
    """Run the provider's sign-in for the owner; the answer is recorded on the settings page and
    the owner stays logged in as before (apps.sso.adapter)."""
    if selectors.identity_provider(access.organization.slug) is None:
        messages.error(request, "Save the provider first, then test it.")
        return redirect("sso:settings", org_slug=access.organization.slug)
    adapter.test_start(request, access.organization)
    # prompt=login: the provider asks who signs in, so the owner can test as themselves.
    return _begin(
        request, access.organization.slug, {"prompt": "login", "login_hint": request.user.email}
    )
