from apps.organizations.models import Role


def current_organization(request) -> dict:
    """The organization the page is about (set by the gate), for the role-aware navigation."""
    access = getattr(request, "org_access", None)
    return {
        "org_access": access,
        "Role": Role,
        "my_organizations": _my_organizations(request.user),
    }


def _my_organizations(user):
    from apps.organizations.selectors import organizations_for_user

    return lambda: list(organizations_for_user(user)) if user.is_authenticated else []
