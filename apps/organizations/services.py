"""Writes to organizations, teams, memberships and invitations."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.models import User
from apps.accounts.services import email_mark_verified
from apps.core import audit, jobs
from apps.core.emails import absolute_url, send_templated_email
from apps.core.errors import RefusedError
from apps.core.text import normalize_email
from apps.core.tokens import derived_token, hash_token
from apps.organizations.access import OrgAccess
from apps.organizations.models import (
    Invitation,
    Membership,
    Organization,
    Role,
    Team,
    TeamMembership,
)
from apps.organizations.signals import organization_purging

log = logging.getLogger(__name__)

# --- Organizations


def _unique_org_slug(name: str) -> str:
    base = slugify(name)[:50] or "org"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def organization_create(*, name: str, owner, time_zone: str = "UTC") -> Organization:
    organization = Organization.objects.create(
        name=name.strip(), slug=_unique_org_slug(name), time_zone=time_zone
    )
    Membership.objects.create(organization=organization, user=owner, role=Role.OWNER)
    return organization


def organization_update(*, organization: Organization, name: str, time_zone: str) -> Organization:
    organization.name = name.strip()
    organization.time_zone = time_zone
    organization.save(update_fields=["name", "time_zone"])
    return organization


def organization_delete(*, access: OrgAccess, confirm_name: str) -> None:
    access.require(Role.OWNER)
    if confirm_name.strip() != access.organization.name:
        raise ValidationError("Type the organization's name exactly to delete it.")
    organization_purge(organization=access.organization)


@transaction.atomic
def organization_purge(*, organization: Organization) -> None:
    """Delete an organization with everything in it (the settings page and Django admin).

    Also its e-mails not sent yet (queued jobs). The apps above receive `organization_purging`
    first (apps.organizations.signals): surveys deletes the responses that Django's collector
    cannot, their queued e-mails go, and reports deletes its files once this commits.
    """
    from apps.organizations.tasks import send_invitation_email

    # Lock the row: nobody adds to it meanwhile (their foreign keys wait, then fail).
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    jobs.discard({send_invitation_email: Invitation.objects.filter(organization=organization)})
    organization_purging.send(sender=Organization, organization=organization)
    audit.allow_purge(organization.pk)  # its audit entries go with it, nothing else's
    organization.delete()
    audit.purge_done(organization.pk)


# --- Teams


def _check_team_name_free(organization: Organization, name: str, exclude: Team | None = None):
    others = Team.objects.filter(
        organization=organization, name__iexact=name, archived_at__isnull=True
    )
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise ValidationError({"name": f"There is already a team called “{name}”."})


def team_create(*, organization: Organization, name: str, description: str = "") -> Team:
    name = name.strip()
    _check_team_name_free(organization, name)
    try:
        with transaction.atomic():
            team = Team.objects.create(
                organization=organization, name=name, description=description
            )
            audit.record(
                "team.created", organization=organization, obj=team, after={"name": team.name}
            )
            return team
    except IntegrityError:  # a concurrent request took the name first
        raise ValidationError({"name": f"There is already a team called “{name}”."}) from None


@transaction.atomic
def team_update(*, team: Team, name: str, description: str) -> Team:
    name = name.strip()
    if not team.is_archived:
        _check_team_name_free(team.organization, name, exclude=team)
    # A ModelForm may have set the new name on `team` already: the stored one is the old name.
    old_name = Team.objects.values_list("name", flat=True).get(pk=team.pk)
    team.name, team.description = name, description
    team.save(update_fields=["name", "description"])
    if name != old_name:
        audit.record(
            "team.renamed",
            organization=team.organization,
            obj=team,
            before={"name": old_name},
            after={"name": name},
        )
    return team


@transaction.atomic
def team_archive(*, team: Team) -> Team:
    if team.archived_at is None:
        team.archived_at = timezone.now()
        team.save(update_fields=["archived_at"])
        audit.record("team.archived", organization=team.organization, obj=team)
    return team


@transaction.atomic
def team_restore(*, team: Team) -> Team:
    if team.archived_at is not None:
        _check_team_name_free(team.organization, team.name, exclude=team)
        team.archived_at = None
        team.save(update_fields=["archived_at"])
        audit.record("team.restored", organization=team.organization, obj=team)
    return team


@transaction.atomic
def team_member_add(*, team: Team, membership: Membership, is_lead: bool = False) -> TeamMembership:
    if membership.organization_id != team.organization_id:
        raise ValidationError("Only members of the organization can join its teams.")
    team_membership, _ = TeamMembership.objects.get_or_create(team=team, membership=membership)
    if is_lead:
        team_lead_set(team_membership=team_membership, is_lead=True)
    return team_membership


def team_member_remove(*, team_membership: TeamMembership) -> None:
    team_membership.delete()


@transaction.atomic
def team_lead_set(*, team_membership: TeamMembership, is_lead: bool) -> TeamMembership:
    """Mark or unmark a team lead. Leading needs the lead role, so a member is promoted."""
    team_membership.is_lead = is_lead
    team_membership.save(update_fields=["is_lead"])
    membership = team_membership.membership
    if is_lead and membership.role < Role.LEAD:
        membership.role = Role.LEAD
        membership.save(update_fields=["role"])
    return team_membership


# --- Members


def _may_manage(actor: OrgAccess, role: int) -> bool:
    """Admins manage members, leads and executives; only owners manage admins and owners."""
    if actor.has_role(Role.OWNER):
        return True
    return actor.has_role(Role.ADMIN) and role < Role.ADMIN


def roles_assignable_by(actor: OrgAccess) -> list[Role]:
    return [role for role in Role if _may_manage(actor, role)]


LAST_OWNER_MESSAGE = "The organization needs at least one owner. Make someone else owner first."


def _lock_organizations(organization_ids) -> None:
    """Serialize owner changes per organization: a count cannot be locked (Django drops FOR
    UPDATE from a count), so every change that could remove an owner locks the organization row
    first, and the second of two concurrent changes counts after the first committed."""
    list(
        Organization.objects.select_for_update()
        .filter(pk__in=list(organization_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _other_owners(membership: Membership) -> int:
    _lock_organizations([membership.organization_id])
    return (
        Membership.objects.filter(organization_id=membership.organization_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .count()
    )


def organizations_left_without_owner(user_ids, *, lock: bool = False) -> list[Organization]:
    """The organizations that would have no owner left if these users' accounts were deleted."""
    user_ids = list(user_ids)
    owned = Organization.objects.filter(
        memberships__user_id__in=user_ids, memberships__role=Role.OWNER
    )
    if lock:
        _lock_organizations(owned.values_list("pk", flat=True))
    others = Membership.objects.filter(role=Role.OWNER).exclude(user_id__in=user_ids)
    return list(owned.exclude(pk__in=others.values("organization_id")).distinct().order_by("name"))


def last_owner_message(organizations) -> str:
    names = ", ".join(f"“{organization.name}”" for organization in organizations)
    plural = len(organizations) > 1
    return (
        f"Deleting this account would leave {names} without an owner. Make someone else "
        f"owner of {'them' if plural else 'it'} first, or delete the "
        f"organization{'s' if plural else ''}."
    )


@transaction.atomic
def membership_change_role(*, actor: OrgAccess, membership: Membership, role: int) -> Membership:
    if not (_may_manage(actor, membership.role) and _may_manage(actor, role)):
        raise PermissionDenied("Only an owner can grant or change the admin and owner roles.")
    if membership.role == Role.OWNER and role != Role.OWNER and _other_owners(membership) == 0:
        raise ValidationError(LAST_OWNER_MESSAGE)
    old_role = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    if role != old_role:
        audit.record(
            "member.role_changed",
            organization=actor.organization,
            obj=membership,
            label=membership.user.email,
            before={"role": Role(old_role).label},
            after={"role": Role(role).label},
        )
    if role < Role.LEAD:
        membership.team_memberships.filter(is_lead=True).update(is_lead=False)
    return membership


@transaction.atomic
def membership_remove(*, actor: OrgAccess, membership: Membership) -> None:
    is_self = membership.pk == actor.membership.pk
    if not is_self and not _may_manage(actor, membership.role):
        raise PermissionDenied("Only an owner can remove admins and owners.")
    if membership.role == Role.OWNER and _other_owners(membership) == 0:
        raise ValidationError(LAST_OWNER_MESSAGE)
    audit.record(
        "member.removed",
        organization=actor.organization,
        obj=membership,
        label=membership.user.email,
        before={"role": Role(membership.role).label},
    )
    membership.delete()


# --- Invitations


class InvitationError(RefusedError):
    """Why an invitation link cannot be used."""

    def __init__(self, message: str, invitation: Invitation | None = None):
        super().__init__(message)
        self.invitation = invitation


class InvitationNotFound(InvitationError):
    status = 404


class InvitationExpired(InvitationError):
    status = 410


class InvitationUsed(InvitationError):
    status = 410


class InvitationForSomeoneElse(InvitationError):
    status = 403


@transaction.atomic
def invitation_send(
    *, actor: OrgAccess, email: str, role: int, teams=(), invited_by
) -> tuple[Invitation, str]:
    """Invite `email`, or refresh their pending invitation (new link, new expiry, new role).

    Returns the invitation and the plain token; the e-mail goes out after commit. Its job
    stores the invitation's id and token hash, not the token: the task derives it again.
    """
    from apps.organizations.tasks import send_invitation_email

    organization = actor.organization
    email = normalize_email(email)
    if not _may_manage(actor, role):
        raise PermissionDenied("Only an owner can invite admins and owners.")
    if Membership.objects.filter(organization=organization, user__email=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {organization}."})
    expires_at = timezone.now() + timedelta(days=settings.INVITATION_EXPIRY_DAYS)
    invitation = (
        Invitation.objects.select_for_update()
        .filter(organization=organization, email=email, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        invitation = Invitation(organization=organization, email=email)
    invitation.role = role
    invitation.token_salt = secrets.token_urlsafe(16)
    token = invitation_token(invitation)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = expires_at
    invitation.invited_by = invited_by
    invitation.sent_at = None
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:  # the same invitation, sent at the same moment, was saved first
        raise ValidationError(
            {"email": f"{email} is already invited to {organization}: the invitation was sent."}
        ) from None
    invitation.teams.set([team for team in teams if team.organization_id == organization.pk])
    audit.record(
        "invitation.sent",
        organization=organization,
        obj=invitation,
        label=email,
        after={"role": Role(role).label, "teams": sorted(team.name for team in teams)},
    )
    jobs.enqueue(send_invitation_email, invitation.pk, invitation.token_hash)
    return invitation, token


def invitation_token(invitation) -> str:
    """The token in an invitation's link: derived from the row's public id and salt with
    SECRET_KEY, so it is never stored (only its hash) and a queued e-mail can derive it again."""
    return derived_token("invitation", f"{invitation.public_id}:{invitation.token_salt}")


# Why someone is invited, by role: what joining lets them do (the invitation e-mail's "Why").
INVITATION_PURPOSES = {
    Role.MEMBER: "As a member, you answer your team's maturity surveys and see the team's "
    "results once enough colleagues have answered.",
    Role.LEAD: "As a lead, you run the maturity surveys of the teams you lead: invite "
    "colleagues, see who has answered, then read the results and the roadmap with your team.",
    Role.EXECUTIVE: "As an executive, you follow every team's results, how they change over "
    "time and the reports for the board.",
    Role.ADMIN: "As an admin, you manage the organization's teams, members and surveys.",
    Role.OWNER: "As an owner, you manage the organization, its admins and owners included.",
}


def invitation_purpose(role: int) -> str:
    """The invitation e-mail's "Why": what Maturity is for, and what this role does in it."""
    does = INVITATION_PURPOSES.get(role, INVITATION_PURPOSES[Role.MEMBER])
    return (
        "Maturity runs short team maturity surveys and shows how each team improves over time. "
        + does
    )


def invitation_email_send(*, invitation_id: int, token_hash: str) -> None:
    """Send the invitation e-mail once: a redelivered job, or one for a link that was refreshed
    since (another token hash), does nothing."""
    claimed = Invitation.objects.filter(
        pk=invitation_id, token_hash=token_hash, sent_at__isnull=True, accepted_at__isnull=True
    ).update(sent_at=timezone.now())
    if not claimed:
        log.info("Invitation %s already sent or superseded; nothing to do.", invitation_id)
        return
    invitation = Invitation.objects.select_related("organization", "invited_by").get(
        pk=invitation_id
    )
    token = invitation_token(invitation)
    try:
        if hash_token(token) != invitation.token_hash:  # a link that cannot be derived again
            raise ValueError(f"Invitation {invitation_id}: its link cannot be derived.")
        send_templated_email(
            to=[invitation.email],
            subject=(
                f"{invitation.sender} invited you to join {invitation.organization.name}"
                if invitation.sender
                else f"You are invited to join {invitation.organization.name}"
            ),
            template="emails/invitation",
            context={
                "invitation": invitation,
                "link": absolute_url(reverse("organizations:invitation", args=[token])),
                "teams": list(
                    invitation.teams.filter(archived_at__isnull=True)
                    .order_by("name")
                    .values_list("name", flat=True)
                ),
                "purpose": invitation_purpose(invitation.role),
            },
        )
    except Exception:
        Invitation.objects.filter(pk=invitation_id).update(sent_at=None)  # let the retry send it
        raise


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    if invitation.accepted_at is None:
        audit.record(
            "invitation.revoked",
            organization=invitation.organization,
            obj=invitation,
            label=invitation.email,
            before={"role": Role(invitation.role).label},
        )
        invitation.delete()


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link points at, or an `InvitationError` saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationNotFound("This invitation link is not valid. Ask for a new invitation.")
    if invitation.accepted_at is not None:
        raise InvitationUsed("This invitation has already been accepted.", invitation)
    if invitation.expires_at <= timezone.now():
        raise InvitationExpired(
            "This invitation has expired. Ask the person who invited you to send a new one.",
            invitation,
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    """Join the organization. Single use: a second accept (double click, replay) is refused."""
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationUsed("This invitation has already been accepted.", invitation)
    if normalize_email(user.email) != normalize_email(invitation.email):
        raise InvitationForSomeoneElse(
            f"This invitation is for {invitation.email}, but you are logged in as {user.email}.",
            invitation,
        )
    membership, created = Membership.objects.get_or_create(
        organization_id=invitation.organization_id, user=user, defaults={"role": invitation.role}
    )
    if not created and membership.role < invitation.role:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    for team in invitation.teams.filter(archived_at__isnull=True):
        TeamMembership.objects.get_or_create(team=team, membership=membership)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_sign_up(*, token: str, name: str, password: str):
    """Create an account through an invitation link and join. The link was sent to the invited
    address, so following it proves the address: the account starts verified.

    Returns (user, organization).
    """
    invitation = invitation_for_token(token)
    user = User.objects.create_user(email=invitation.email, password=password, name=name)
    membership = invitation_accept(token=token, user=user)
    email_mark_verified(user)
    return user, membership.organization


def invitations_purge_expired(*, older_than_days: int = 30) -> int:
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=cutoff).delete()
    return deleted
