from django.db import transaction

from apps.accounts.models import User
from apps.organizations import services as org_services


@transaction.atomic
def user_sign_up(
    *, name: str, email: str, password: str, organization_name: str = "", invitation_token: str = ""
):
    """Create an account and either a new organization (as its owner) or join through an invitation.

    Returns (user, organization).
    """
    user = User.objects.create_user(email=email, password=password, name=name)
    if invitation_token:
        membership = org_services.invitation_accept(token=invitation_token, user=user)
        return user, membership.organization
    organization = org_services.organization_create(name=organization_name, owner=user)
    return user, organization
