import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from apps.accounts.models import User
from apps.core.tokens import hash_token
from apps.organizations.models import Membership, Organization, Role, Team, TeamMembership
from apps.surveys import round_services

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Accounts have confirmed their address unless a test says `verified=False`."""
        if create and extracted is not False:
            from apps.accounts.services import email_mark_verified

            email_mark_verified(obj)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    membership = factory.SubFactory(
        MembershipFactory, organization=factory.SelfAttribute("..team.organization")
    )
    is_lead = False


def published_bank(slug: str = "llmops", version: int | None = 1):
    """A shipped bank: version 1 by default (the numbers most tests pin were written for it);
    `version=None` for the newest."""
    from apps.surveys.models import BankStatus, QuestionBank

    banks = QuestionBank.objects.filter(slug=slug, status=BankStatus.PUBLISHED)
    if version is not None:
        banks = banks.filter(version=version)
    return banks.order_by("-version").first()


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Round"

    team = factory.SubFactory(TeamFactory)
    bank = factory.LazyFunction(published_bank)
    title = factory.Sequence(lambda n: f"Round {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=13))
    anonymous = False
    min_respondents = 3


class ParticipantFactory(factory.django.DjangoModelFactory):
    """Someone invited to a round, without the invitation e-mail (`scenarios.invite` sends it).
    Their link is `round_services.participant_token(participant)`."""

    class Meta:
        model = "surveys.Participant"

    round = factory.SubFactory(RoundFactory)
    email = factory.Sequence(lambda n: f"respondent{n}@example.com")
    public_id = factory.LazyFunction(uuid.uuid4)
    token_hash = factory.LazyAttribute(lambda p: hash_token(round_services.participant_token(p)))
    invited_at = factory.LazyFunction(timezone.now)


class ResponseFactory(factory.django.DjangoModelFactory):
    """A draft response (answers are saved through `round_services.answer_save`)."""

    class Meta:
        model = "surveys.Response"

    participant = factory.SubFactory(ParticipantFactory)
    round = factory.SelfAttribute("participant.round")
    bank = factory.SelfAttribute("round.bank")


def ready_team_report(team):
    """A built team roadmap (a stand-in PDF file), for the URLs that need a report."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.reports.models import Report

    return Report.objects.create(
        organization=team.organization,
        scope="team",
        team=team,
        scope_key=f"team:{team.pk}",
        fingerprint="x",
        status="ready",
        file=SimpleUploadedFile("r.pdf", b"%PDF-1.7 test"),
    )


class ActionFactory(factory.django.DjangoModelFactory):
    """An action in a team's plan, stored as it is (tests of the checks go through
    apps.plans.services). A done action needs `done_at`, a dropped one `dropped_at`."""

    class Meta:
        model = "plans.Action"

    team = factory.SubFactory(TeamFactory)
    organization = factory.SelfAttribute("team.organization")
    title = factory.Sequence(lambda n: f"Action {n}")
    status = "todo"
    status_changed_at = factory.LazyFunction(timezone.now)
