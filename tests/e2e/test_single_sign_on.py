"""An owner sets up single sign-on with a real OpenID Connect provider (tests/oidc), verifies the
company's domain with a test sign-in, enforces it; colleagues then sign in through it."""

import pytest
from playwright.sync_api import expect

from apps.organizations.models import Membership, Role
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory
from tests.oidc.provider import oidc_provider  # noqa: F401  (the session fixture)

pytestmark = pytest.mark.e2e


def sign_in_at_provider(page, login: str) -> None:
    """The provider's development log-in page: any login, any password."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()


def test_owner_sets_up_sso_and_colleagues_sign_in_through_it(
    live_server,
    transactional_db,
    browser,
    settings,
    oidc_provider,  # noqa: F811
):
    settings.SITE_URL = live_server.url
    acme = OrganizationFactory(name="Acme", slug="acme")
    MembershipFactory(
        organization=acme, role=Role.OWNER, user=UserFactory(email="olga@acme.test", name="Olga")
    )
    MembershipFactory(organization=acme, user=UserFactory(email="max@acme.test", name="Max"))

    owner = browser.new_page(viewport={"width": 1366, "height": 900})
    owner.goto(f"{live_server.url}/accounts/login/")
    owner.get_by_label("E-mail").fill("olga@acme.test")
    owner.get_by_label("Password").fill(PASSWORD)
    owner.get_by_role("button", name="Log in").click()
    owner.goto(f"{live_server.url}/o/acme/settings/")
    owner.get_by_role("link", name="Single sign-on settings").click()
    expect(owner.get_by_role("heading", name="Single sign-on", exact=True)).to_be_visible()
    expect(owner.locator("#redirect-uri")).to_have_text(
        f"{live_server.url}/accounts/oidc/acme/login/callback/"
    )
    owner.get_by_label("Issuer URL").fill(oidc_provider.issuer)
    owner.get_by_label("Client ID").fill(oidc_provider.client_id)
    owner.get_by_label("Client secret").fill(oidc_provider.client_secret)
    owner.get_by_role("button", name="Save provider").click()
    expect(owner.get_by_text("Single sign-on settings saved.")).to_be_visible()
    expect(owner.get_by_label("Client secret")).to_have_value("")  # never shown again

    owner.get_by_role("textbox", name="E-mail domain").fill("acme.test")
    owner.get_by_role("button", name="Add domain").click()
    expect(owner.get_by_text("Not verified")).to_be_visible()

    owner.get_by_role("button", name="Test sign-in").click()
    sign_in_at_provider(owner, "olga@acme.test")
    expect(owner.locator("#last-test")).to_contain_text("acme.test is verified.")
    expect(owner.get_by_text("Verified", exact=True)).to_be_visible()
    # Still the owner, on the owner's page: the test changed nobody's session.
    expect(owner.get_by_role("heading", name="Single sign-on", exact=True)).to_be_visible()

    owner.get_by_label("Let people from the verified domains join without an invitation").check()
    owner.get_by_label("Enforce single sign-on").check()
    owner.get_by_role("button", name="Save provider").click()
    expect(owner.get_by_text("Single sign-on settings saved.")).to_be_visible()
    owner.screenshot(path="/tmp/h8_sso_settings_1366.png", full_page=True)
    owner.set_viewport_size({"width": 390, "height": 844})
    owner.screenshot(path="/tmp/h8_sso_settings_390.png", full_page=True)

    # A colleague nobody invited joins through the provider (just-in-time provisioning).
    cleo = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    cleo.goto(f"{live_server.url}/accounts/login/")
    cleo.screenshot(path="/tmp/h8_login_390.png", full_page=True)
    cleo.get_by_label("E-mail").fill("cleo@acme.test")
    # While the address is typed, the page names the company that signs it in.
    expect(
        cleo.get_by_text("Acme signs in acme.test addresses with single sign-on.")
    ).to_be_visible()
    cleo.screenshot(path="/tmp/h8_login_hint_390.png", full_page=True)
    cleo.get_by_role("button", name="Sign in with Acme (SSO)").click()
    sign_in_at_provider(cleo, "cleo@acme.test")
    expect(cleo.get_by_role("heading", name="Acme")).to_be_visible()
    assert Membership.objects.get(user__email="cleo@acme.test").role == Role.MEMBER

    # A member with a password is sent to the provider instead, and signs in there.
    max_ = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    max_.goto(f"{live_server.url}/accounts/login/")
    max_.get_by_label("E-mail").fill("max@acme.test")
    max_.get_by_label("Password").fill(PASSWORD)
    max_.get_by_role("button", name="Log in").click()
    expect(max_.get_by_text("Acme signs you in through its single sign-on")).to_be_visible()
    max_.screenshot(path="/tmp/h8_login_enforced_1366.png", full_page=True)
    max_.get_by_role("button", name="Sign in with Acme (SSO)").click()
    sign_in_at_provider(max_, "max@acme.test")
    expect(max_.get_by_role("heading", name="Acme")).to_be_visible()
