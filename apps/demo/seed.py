"""The demo organization `make run` seeds. Idempotent: a second run changes nothing."""

from dataclasses import dataclass

from django.db import transaction

from apps.accounts.models import User
from apps.accounts.services import email_mark_verified
from apps.demo.history import seed_history
from apps.demo.plans import seed_plans
from apps.demo.targets import seed_targets
from apps.organizations.models import Membership, Organization, Role, Team, TeamMembership

DEMO_PASSWORD = "maturity-demo"
DEMO_ORG = ("Contoso AI", "contoso")


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    what_to_try: str


DEMO_LOGINS = [
    DemoLogin("owner@contoso.example", "owner", "everything, incl. members and settings"),
    DemoLogin("exec@contoso.example", "executive", "every team's results and dashboards"),
    DemoLogin("lead@contoso.example", "lead", "leads Support Copilot and Search Assistant"),
    DemoLogin("member@contoso.example", "member", "answers surveys, sees own teams"),
]

TEAMS = [
    ("Support Copilot", "Answers customer tickets with retrieval over the help centre."),
    ("Search Assistant", "Conversational search over the product catalogue."),
    ("Document Intelligence", "Extracts fields from contracts and invoices."),
    ("Sales Insights", "Summarises calls and drafts follow-ups for account managers."),
    ("Developer Tools", "Code review and test generation for internal engineering."),
    ("Knowledge Base", "Keeps internal wiki answers current with RAG."),
    ("Fraud Signals", "Explains risk scores to analysts in plain language."),
    ("Marketing Content", "Drafts campaign copy under brand and safety rules."),
]

COLLEAGUES = [
    "Ada Byrne",
    "Ben Okafor",
    "Chloé Martin",
    "Dev Patel",
    "Elena Rossi",
    "Farid Haddad",
    "Grace Liu",
    "Hugo Weber",
    "Ines Costa",
    "Jonas Berg",
    "Keiko Sato",
    "Liam Walsh",
    "Maya Cohen",
    "Noah Schmidt",
    "Olivia Nowak",
    "Pedro Alves",
    "Quinn Murphy",
    "Rosa Díaz",
    "Sami Nieminen",
    "Tara Singh",
    "Umar Shaikh",
    "Vera Ivanova",
    "Wen Zhao",
    "Yusuf Demir",
]


def _user(email: str, name: str, *, staff: bool = False) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"name": name, "is_staff": staff, "is_superuser": staff}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    email_mark_verified(user)  # demo people log in at once, as if they had confirmed
    return user


@transaction.atomic
def seed_demo() -> Organization:
    name, slug = DEMO_ORG
    organization, _ = Organization.objects.get_or_create(
        slug=slug, defaults={"name": name, "time_zone": "Europe/Amsterdam"}
    )
    roles = {
        "owner": Role.OWNER,
        "executive": Role.EXECUTIVE,
        "lead": Role.LEAD,
        "member": Role.MEMBER,
    }
    named = {
        "owner": "Olga Owner",
        "executive": "Erik Executive",
        "lead": "Lena Lead",
        "member": "Max Member",
    }
    people = {}
    for login in DEMO_LOGINS:
        user = _user(login.email, named[login.role], staff=login.role == "owner")
        people[login.role], _ = Membership.objects.get_or_create(
            organization=organization, user=user, defaults={"role": roles[login.role]}
        )
    colleagues = []
    for full_name in COLLEAGUES:
        local = full_name.lower().replace(" ", ".").replace("é", "e").replace("í", "i")
        user = _user(f"{local}@contoso.example", full_name)
        membership, _ = Membership.objects.get_or_create(organization=organization, user=user)
        colleagues.append(membership)
    for index, (team_name, description) in enumerate(TEAMS):
        team, _ = Team.objects.get_or_create(
            organization=organization, name=team_name, defaults={"description": description}
        )
        crew = colleagues[index * 3 : index * 3 + 5] or colleagues[:5]
        for position, membership in enumerate(crew):
            TeamMembership.objects.get_or_create(
                team=team, membership=membership, defaults={"is_lead": position == 0}
            )
        if index < 2:
            TeamMembership.objects.get_or_create(
                team=team, membership=people["lead"], defaults={"is_lead": True}
            )
        if index == 0:
            TeamMembership.objects.get_or_create(team=team, membership=people["member"])
    # Leading a team needs the lead role.
    Membership.objects.filter(
        organization=organization, role=Role.MEMBER, team_memberships__is_lead=True
    ).update(role=Role.LEAD)
    seed_history(organization)
    seed_targets(organization)
    seed_plans(organization)
    return organization
