from uuid import UUID

from ninja import Router, Schema
from ninja.pagination import paginate

from apps.core.api import OrganizationSlug, errors
from apps.organizations.access import organization_access
from apps.organizations.models import Role
from apps.organizations.selectors import organizations_for_user, teams_visible_to

router = Router(tags=["organizations"])


class OrganizationOut(Schema):
    slug: str
    name: str
    time_zone: str
    role: str


class TeamOut(Schema):
    id: UUID
    name: str
    description: str
    member_count: int


@router.get("/organizations", response={200: list[OrganizationOut], **errors(422)})
@paginate
def list_organizations(request):
    """The organizations you are a member of, with your role in each."""
    return [
        OrganizationOut(
            slug=m.organization.slug,
            name=m.organization.name,
            time_zone=m.organization.time_zone,
            role=Role(m.role).label.lower(),
        )
        for m in organizations_for_user(request.user)
    ]


@router.get("/organizations/{slug}/teams", response={200: list[TeamOut], **errors(404, 422)})
@paginate
def list_teams(request, slug: OrganizationSlug):
    """Teams you may see: all of them for executives and up, otherwise your own."""
    access = organization_access(request.user, slug)
    return [
        TeamOut(id=t.public_id, name=t.name, description=t.description, member_count=t.member_count)
        for t in teams_visible_to(access)
    ]
