"""The audit log page in Chromium at 1366 and 390 px: the filters, the table and the export
buttons fit without sideways scrolling, and filtering by action narrows the list."""

import os

import pytest
from django.db import transaction
from django.urls import reverse

from apps.core import audit
from apps.organizations.models import Role
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


def test_the_audit_page_fits_a_phone_and_filters(live_server, transactional_db, browser):
    org = OrganizationFactory(name="Acme", slug="acme")
    owner = UserFactory(email="owner@acme.example")
    owner.set_password(PASSWORD)
    owner.save()
    MembershipFactory(organization=org, user=owner, role=Role.OWNER)
    with transaction.atomic():
        for n in range(3):
            audit.record(
                "member.role_changed",
                organization=org,
                actor=owner,
                label=f"person{n}@acme.example",
                before={"role": "Member"},
                after={"role": "Lead"},
            )
        audit.record("team.created", organization=org, actor=owner, label="Platform engineering")
    url = live_server.url + reverse("audit:log", args=[org.slug])
    shots = os.environ.get("AUDIT_SCREENSHOTS", "")
    for width in (1366, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail").fill(owner.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(url)
        assert page.get_by_role("heading", name="Audit log").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        assert page.get_by_text("4 entries").is_visible()
        if shots:
            page.screenshot(path=f"{shots}/audit_{width}.png", full_page=True)
        page.get_by_label("Action").select_option("team.created")
        page.get_by_role("button", name="Filter").click()
        assert page.get_by_text("1 entry").is_visible()
        assert page.get_by_role("link", name="Export CSV").is_visible()
        page.close()
