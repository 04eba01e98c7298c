"""Single sign-on per organization against a real OpenID Connect provider (tests/oidc): the
owner's settings and test sign-in, domain verification, who a sign-in lets in, the enforce
switch, and the answers that must be refused (wrong issuer, replayed state, an address outside
the verified domains, an expired code)."""

import html
import re
import time

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organizations.access import organization_access
from apps.organizations.models import Membership, Role, TeamMembership
from apps.organizations.services import invitation_send
from apps.sso import sealing, services
from apps.sso.models import IdentityProvider, SsoDomain
from tests.factories import PASSWORD, UserFactory
from tests.oidc.provider import sign_in_at_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(member_of):
    return member_of(Role.OWNER, email="olga@acme.test", name="Olga Owner")


@pytest.fixture
def sso(org, owner, oidc_provider):
    """Acme's provider, with acme.test verified."""
    provider = services.identity_provider_save(
        organization=org,
        issuer=oidc_provider.issuer,
        client_id=oidc_provider.client_id,
        client_secret=oidc_provider.client_secret,
        jit_provisioning=False,
        enforced=False,
        actor=owner,
    )
    SsoDomain.objects.create(
        organization=org, domain="acme.test", verified_at=timezone.now(), verified_by=owner
    )
    return provider


def provider_url(response) -> str:
    """Where the page that hands over to the provider goes (by itself, or by its link)."""
    assert response.status_code == 200, response.content.decode()[:500]
    page = response.content.decode()
    refresh = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', page).group(1)
    link = re.search(r'id="continue" href="([^"]+)"', page).group(1)
    assert refresh == link
    return html.unescape(link)


def provider_answer(client, email, *, login=None):
    """Start "Sign in with your company (SSO)" for `email`, sign in at the provider as `login`
    (default: the same address), and return the path of the provider's answer (our callback)."""
    start = client.post(reverse("sso:start"), {"login": email})
    back = sign_in_at_provider(provider_url(start), login or email)
    return back.removeprefix("http://testserver")


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_an_invited_person_signs_in_for_the_first_time_and_joins(client, org, team, owner, sso):
    access = organization_access(owner, org.slug)
    invitation, _ = invitation_send(
        actor=access, email="ivan@acme.test", role=Role.LEAD, teams=[team], invited_by=owner
    )
    response = client.get(provider_answer(client, "Ivan@Acme.test"))
    assert response.status_code == 302
    ivan = signed_in_user(client)
    assert ivan.email == "ivan@acme.test" and ivan.name == "ivan"
    assert not ivan.has_usable_password()
    membership = Membership.objects.get(user=ivan, organization=org)
    assert membership.role == Role.LEAD
    assert TeamMembership.objects.filter(membership=membership, team=team).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == ivan
    # The next sign-in finds the same account through its link to Acme's provider.
    client.logout()
    client.get(provider_answer(client, "ivan@acme.test"))
    assert signed_in_user(client) == ivan
    assert SocialAccount.objects.filter(user=ivan, provider="acme").count() == 1


def test_an_uninvited_person_is_refused_unless_the_owner_allowed_just_in_time_joining(
    client, org, owner, sso
):
    response = client.get(provider_answer(client, "una@acme.test"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Acme has not invited una@acme.test" in page
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="una@acme.test").exists()

    IdentityProvider.objects.filter(pk=sso.pk).update(jit_provisioning=True)
    client.get(provider_answer(client, "una@acme.test"))
    una = signed_in_user(client)
    assert una.email == "una@acme.test"
    assert Membership.objects.get(user=una, organization=org).role == Role.MEMBER


def test_an_existing_member_is_linked_at_the_first_sign_in(client, org, member_of, sso):
    mia = member_of(Role.MEMBER, email="mia@acme.test")
    client.get(provider_answer(client, "mia@acme.test"))
    assert signed_in_user(client) == mia
    assert SocialAccount.objects.get(provider="acme").user == mia


def test_an_existing_account_that_is_not_a_member_is_not_taken_over(client, org, sso):
    UserFactory(email="nina@acme.test")
    IdentityProvider.objects.filter(pk=sso.pk).update(jit_provisioning=True)
    response = client.get(provider_answer(client, "nina@acme.test"))
    assert response.status_code == 403
    assert "Log in with your password and accept your invitation" in response.content.decode()
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_an_address_outside_the_verified_domains_is_refused(client, org, sso):
    IdentityProvider.objects.filter(pk=sso.pk).update(jit_provisioning=True)
    SsoDomain.objects.create(organization=org, domain="acme-labs.test")  # listed, not verified
    for email in ("eve@elsewhere.test", "leo@acme-labs.test"):
        # The person starts with an Acme address and signs in at the provider as another.
        response = client.get(provider_answer(client, "someone@acme.test", login=email))
        assert response.status_code == 403
        assert f"{email} is not at a domain Acme has verified" in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.filter(email__in=["eve@elsewhere.test", "leo@acme-labs.test"]).exists()


def test_a_replayed_answer_is_refused(client, org, member_of, sso):
    mia = member_of(Role.MEMBER, email="mia@acme.test")
    answer = provider_answer(client, "mia@acme.test")
    assert client.get(answer).status_code == 302
    assert signed_in_user(client) == mia
    # The same answer again: its state was used up, in this browser and in any other.
    again = client.get(answer)
    assert again.status_code == 400
    assert "does not belong to a sign-in started here" in again.content.decode()
    elsewhere = Client()
    assert elsewhere.get(answer).status_code == 400
    assert signed_in_user(elsewhere) is None


def test_an_expired_code_is_refused(client, org, member_of, sso):
    IdentityProvider.objects.filter(pk=sso.pk).update(jit_provisioning=True)
    # The test provider gives "slow-" logins a code that lives one second.
    answer = provider_answer(client, "slow-sam@acme.test")
    time.sleep(1.5)
    response = client.get(answer)
    assert response.status_code == 400
    assert "could not be accepted" in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="slow-sam@acme.test").exists()


def test_a_wrong_issuer_is_refused_when_saved_and_at_sign_in(
    client, org, owner, member_of, sso, oidc_provider
):
    # The same provider under another name: its document names 127.0.0.1, not localhost.
    wrong = oidc_provider.issuer.replace("127.0.0.1", "localhost")
    client.force_login(owner)
    response = client.post(
        reverse("sso:settings", args=[org.slug]),
        {"action": "save", "issuer": wrong, "client_id": "maturity", "client_secret": "x"},
    )
    assert response.status_code == 400
    assert f"calls itself {oidc_provider.issuer}, not {wrong}" in response.content.decode()
    assert IdentityProvider.objects.get().issuer == oidc_provider.issuer
    # Had it been stored, its ID tokens (issued by 127.0.0.1) would not be accepted.
    IdentityProvider.objects.update(issuer=wrong)
    member_of(Role.MEMBER, email="mia@acme.test")
    browser = Client()
    response = browser.get(provider_answer(browser, "mia@acme.test"))
    assert response.status_code == 400
    assert "Invalid id_token" in response.content.decode()
    assert signed_in_user(browser) is None


def test_the_enforce_switch_takes_the_password_from_members_not_from_owners(
    client, org, owner, member_of, sso
):
    member = member_of(Role.ADMIN, email="ada@acme.test")
    member_of(Role.MEMBER, email="max@partner.test")  # not at a verified domain
    login = reverse("accounts:login")

    def log_in(email):
        c = Client()
        return c, c.post(login, {"login": email, "password": PASSWORD})

    assert log_in("ada@acme.test")[1].status_code == 302  # not enforced yet
    IdentityProvider.objects.filter(pk=sso.pk).update(enforced=True)

    browser, response = log_in("ada@acme.test")
    page = response.content.decode()
    assert response.status_code == 200 and signed_in_user(browser) is None
    assert "Acme signs you in through its single sign-on, not with a password" in page
    assert "Sign in with Acme (SSO)" in page
    # A wrong password gets the same answer: the password is not even checked.
    wrong = browser.post(login, {"login": "ada@acme.test", "password": "wrong"})
    assert "signs you in through its single sign-on" in wrong.content.decode()
    # The owner keeps a password, to recover a broken provider; other domains are untouched.
    for email in ("olga@acme.test", "max@partner.test"):
        browser, response = log_in(email)
        assert response.status_code == 302 and signed_in_user(browser).email == email
    # The member signs in through the provider instead.
    client.get(provider_answer(client, "ada@acme.test"))
    assert signed_in_user(client) == member


def test_enforcing_signs_out_the_members_it_takes_the_password_from(
    client, org, owner, member_of, sso
):
    """A session opened with a password would outlive the rule: turning enforcement on ends
    the sessions of members at the verified domains (through the provider too: they sign in
    again with one click), not the owners' nor other domains' nor other organizations'."""
    ada = member_of(Role.ADMIN, email="ada@acme.test")
    member_of(Role.MEMBER, email="ben@acme.test")
    member_of(Role.MEMBER, email="max@partner.test")  # not at a verified domain
    elsewhere = UserFactory(email="eve@acme.test")  # at the domain, in no organization here
    browsers = {}
    for email in ("ada@acme.test", "olga@acme.test", "max@partner.test", "eve@acme.test"):
        browsers[email] = Client()
        response = browsers[email].post(
            reverse("accounts:login"), {"login": email, "password": PASSWORD}
        )
        assert response.status_code == 302, email
    browsers["ben@acme.test"] = Client()
    browsers["ben@acme.test"].get(provider_answer(browsers["ben@acme.test"], "ben@acme.test"))
    overview = reverse("organizations:dashboard", args=[org.slug])
    for email, browser in browsers.items():
        if email != "eve@acme.test":
            assert browser.get(overview).status_code == 200, email

    client.force_login(owner)
    settings_page = reverse("sso:settings", args=[org.slug])
    form = {"action": "save", "issuer": sso.issuer, "client_id": sso.client_id}
    response = client.post(settings_page, {**form, "enforced": "on"}, follow=True)
    assert (
        "Single sign-on is enforced: 2 members were signed out, and sign in again through it."
        in response.content.decode()
    )
    for email in ("ada@acme.test", "ben@acme.test"):
        gone = browsers[email].get(overview)
        assert gone.status_code == 302 and gone["Location"].startswith(reverse("accounts:login")), (
            email
        )
        assert signed_in_user(browsers[email]) is None
    for email in ("olga@acme.test", "max@partner.test"):
        assert browsers[email].get(overview).status_code == 200, email
    assert signed_in_user(browsers["eve@acme.test"]) == elsewhere
    entry = AuditEntry.objects.filter(action="sso.changed").latest("pk")
    assert entry.after["members_signed_out"] == 2
    # Signed in again through the provider, the member stays signed in; saving the settings
    # again, still enforced, signs out nobody.
    again = browsers["ada@acme.test"]
    again.get(provider_answer(again, "ada@acme.test"))
    assert signed_in_user(again) == ada
    response = client.post(settings_page, {**form, "enforced": "on"}, follow=True)
    assert "Single sign-on is enforced:" not in response.content.decode()
    assert again.get(overview).status_code == 200
    assert User.objects.get(pk=ada.pk).password == ada.password  # the password is untouched


def test_a_domain_verified_while_enforced_signs_out_its_members(org, owner, member_of, sso):
    IdentityProvider.objects.filter(pk=sso.pk).update(enforced=True)
    pat = member_of(Role.OWNER, email="pat@partner.test")
    max_ = member_of(Role.MEMBER, email="max@partner.test")
    ada = member_of(Role.MEMBER, email="ada@acme.test")
    services.domain_add(organization=org, domain="partner.test")
    message = services.test_sign_in_record(
        organization=org, actor=pat, ok=True, email="pat@partner.test"
    )
    assert message.endswith(
        "partner.test is verified. Single sign-on is enforced: 1 member at partner.test was "
        "signed out."
    )
    epochs = dict(User.objects.values_list("email", "session_epoch"))
    assert epochs[max_.email] == 1 and epochs[pat.email] == 0 and epochs[ada.email] == 0


def test_enforcing_needs_a_verified_domain(org, owner, oidc_provider):
    with pytest.raises(Exception, match="Verify a domain first"):
        services.identity_provider_save(
            organization=org,
            issuer=oidc_provider.issuer,
            client_id="maturity",
            client_secret="s",
            jit_provisioning=False,
            enforced=True,
            actor=owner,
        )


def test_the_log_in_page_finds_the_provider_by_the_address_domain(client, org, sso, oidc_provider):
    response = client.post(reverse("sso:start"), {"login": "Someone@ACME.test"})
    url = provider_url(response)
    assert "Going to Acme's sign-in" in response.content.decode()
    assert url.startswith(f"{oidc_provider.issuer}/auth?")
    assert "login_hint=someone%40acme.test" in url
    assert "code_challenge=" in url  # PKCE
    response = client.post(reverse("sso:start"), {"login": "someone@nowhere.test"})
    assert response.status_code == 400
    assert "No organization signs in nowhere.test addresses" in response.content.decode()
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Sign in with your company (SSO)" in page


def test_the_owner_configures_the_provider_and_its_secret_is_never_shown_again(
    client, org, owner, oidc_provider, django_assert_max_num_queries
):
    client.force_login(owner)
    url = reverse("sso:settings", args=[org.slug])
    with django_assert_max_num_queries(8):
        page = client.get(url).content.decode()
    assert "http://127.0.0.1:8000/accounts/oidc/acme/login/callback/" in page
    secret = "s3cret-value-from-the-provider"
    response = client.post(
        url,
        {
            "action": "save",
            "issuer": oidc_provider.issuer + "/",  # a trailing slash: the provider's spelling wins
            "client_id": "maturity",
            "client_secret": secret,
        },
    )
    assert response.status_code == 302
    provider = IdentityProvider.objects.get()
    assert provider.issuer == oidc_provider.issuer
    assert secret not in provider.client_secret_sealed
    assert sealing.unseal(provider.client_secret_sealed) == secret
    page = client.get(url).content.decode()
    assert secret not in page and provider.client_secret_sealed not in page
    # Saving again without a secret keeps it.
    client.post(url, {"action": "save", "issuer": oidc_provider.issuer, "client_id": "maturity"})
    provider.refresh_from_db()
    assert sealing.unseal(provider.client_secret_sealed) == secret


def test_a_test_sign_in_reports_and_verifies_the_owner_domain_without_changing_who_is_logged_in(
    client, org, owner, oidc_provider
):
    services.identity_provider_save(
        organization=org,
        issuer=oidc_provider.issuer,
        client_id="maturity",
        client_secret=oidc_provider.client_secret,
        jit_provisioning=False,
        enforced=False,
        actor=owner,
    )
    services.domain_add(organization=org, domain="ACME.test")
    client.force_login(owner)

    def test_as(login):
        url = provider_url(client.post(reverse("sso:test", args=[org.slug])))
        assert "prompt=login" in url
        response = client.get(sign_in_at_provider(url, login).removeprefix("http://testserver"))
        assert response["Location"] == reverse("sso:settings", args=[org.slug])
        assert signed_in_user(client) == owner
        return client.get(response["Location"]).content.decode()

    page = test_as("colleague@acme.test")
    assert "Test sign-in worked: the provider signed in colleague@acme.test." in page
    assert "To verify acme.test, test again signing in as yourself (olga@acme.test)" in page
    assert not SsoDomain.objects.get().is_verified
    page = test_as("olga@acme.test")
    assert "acme.test is verified." in page
    assert SsoDomain.objects.get().verified_by == owner
    assert not User.objects.filter(email="colleague@acme.test").exists()
    assert not SocialAccount.objects.exists()


def test_a_failed_test_sign_in_is_reported_on_the_settings_page(client, org, owner, oidc_provider):
    services.identity_provider_save(
        organization=org,
        issuer=oidc_provider.issuer,
        client_id="maturity",
        client_secret="not-the-secret",
        jit_provisioning=False,
        enforced=False,
        actor=owner,
    )
    client.force_login(owner)
    url = provider_url(client.post(reverse("sso:test", args=[org.slug])))
    answer = sign_in_at_provider(url, "olga@acme.test")
    response = client.get(answer.removeprefix("http://testserver"))
    assert response["Location"] == reverse("sso:settings", args=[org.slug])
    page = client.get(response["Location"]).content.decode()
    assert "Test sign-in failed." in page
    assert signed_in_user(client) == owner
    assert IdentityProvider.objects.get().last_test_ok is False


def test_a_public_mail_domain_cannot_be_claimed_and_a_verified_one_only_once(org, owner):
    from django.core.exceptions import ValidationError

    from tests.factories import OrganizationFactory

    with pytest.raises(ValidationError, match="public mail service"):
        services.domain_add(organization=org, domain="gmail.com")
    with pytest.raises(ValidationError, match="not a domain name"):
        services.domain_add(organization=org, domain="acme")
    other = OrganizationFactory(name="Other", slug="other")
    SsoDomain.objects.create(organization=other, domain="acme.test", verified_at=timezone.now())
    with pytest.raises(ValidationError, match=r"Another organization has verified acme\.test"):
        services.domain_add(organization=org, domain="acme.test")


def test_a_secret_sealed_under_a_lost_key_must_be_entered_again(settings):
    sealed = sealing.seal("secret")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-key"
    assert sealing.unseal(sealed) == "secret"  # the old key is still listed
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(sealing.SecretUnreadable, match="Enter it again"):
        sealing.unseal(sealed)


def test_sign_in_starts_only_from_a_form_and_allauth_linking_pages_are_not_offered(client, owner):
    assert client.get(reverse("sso:start")).status_code == 405
    assert client.get("/accounts/oidc/acme/login/").status_code == 404  # no provider yet
    client.force_login(owner)
    assert client.get("/accounts/3rdparty/")["Location"] == reverse("accounts:profile")
    assert client.get("/accounts/3rdparty/signup/")["Location"] == reverse("accounts:login")
    client.logout()
    error = client.get(reverse("socialaccount_login_error"))
    assert error.status_code == 401 and "Nobody was signed in" in error.content.decode()


def test_a_deleted_organization_leaves_no_link_to_its_provider(client, org, owner, member_of, sso):
    from apps.organizations.services import organization_purge

    member_of(Role.MEMBER, email="mia@acme.test")
    client.get(provider_answer(client, "mia@acme.test"))
    assert SocialAccount.objects.filter(provider="acme").count() == 1
    organization_purge(organization=org)
    assert not SocialAccount.objects.exists()
    assert not IdentityProvider.objects.exists() and not SsoDomain.objects.exists()


def test_starting_single_sign_on_is_rate_limited(client, org, sso, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sso-start": "2/600"}
    statuses = [
        client.post(reverse("sso:start"), {"login": "mia@acme.test"}).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_the_log_in_page_names_the_company_while_the_address_is_typed(client, org, sso):
    url = reverse("sso:discover")
    hint = client.get(url, {"login": "Pat@ACME.test"}).content.decode()
    assert "Acme signs in acme.test addresses with single sign-on." in hint
    assert "Sign in with Acme (SSO)" in hint
    for typed in ("pat@other.test", "pat@", ""):
        assert client.get(url, {"login": typed}).content.decode().strip() == ""
    login_page = client.get(reverse("accounts:login")).content.decode()
    assert f'hx-get="{url}"' in login_page and 'id="sso-hint"' in login_page
