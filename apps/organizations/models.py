import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.IntegerChoices):
    """Ordered: each role may do everything the roles below it may."""

    MEMBER = 10, "Member"
    LEAD = 20, "Lead"
    EXECUTIVE = 30, "Executive"
    ADMIN = 40, "Admin"
    OWNER = 50, "Owner"


TIME_ZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())]


class Organization(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    created_at = models.DateTimeField(auto_now_add=True)
    # An owner asked for deletion (apps/organizations/deletion.py): from this moment the beat
    # deletes it with everything in it, unless an owner cancels first.
    deletion_due_at = models.DateTimeField(null=True, blank=True)
    deletion_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.PositiveSmallIntegerField(choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_unique_user_per_org"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.get_role_display()})"


class Team(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Archived teams keep their name, so a new team may reuse it.
            models.UniqueConstraint(
                "organization",
                Lower("name"),
                condition=Q(archived_at__isnull=True),
                name="team_active_name_unique_per_org",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="team_memberships")
    # Through the org membership, so that leaving the organization leaves its teams too.
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="team_memberships"
    )
    is_lead = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "membership"], name="team_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.membership.user} in {self.team}"


class Invitation(models.Model):
    """An invitation to join an organization. Only the SHA-256 of its token is stored; the token
    itself is derived again from the row when the e-mail is sent."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(max_length=254)
    role = models.PositiveSmallIntegerField(choices=Role.choices, default=Role.MEMBER)
    teams = models.ManyToManyField(Team, blank=True, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    # With SECRET_KEY this derives the link's token (services.invitation_token), so the e-mail
    # job stores no secret. A refreshed invitation gets a new salt, hence a new link.
    token_salt = models.CharField(max_length=32, blank=True, default="", editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Re-inviting refreshes the pending invitation instead of adding another.
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=Q(accepted_at__isnull=True),
                name="invitation_one_pending_per_email",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def sender(self) -> str:
        """Who sent it, with their address: organization names are not unique, so an invitation
        from a look-alike organization shows a stranger's address. Empty if they are gone."""
        user = self.invited_by
        if user is None:
            return ""
        name = " ".join(user.name.split())  # one line: it goes into the e-mail's subject
        return f"{name} ({user.email})" if name and name != user.email else user.email
