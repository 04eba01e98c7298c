"""Failed sign-ins in the audit log, per account: Django's `user_login_failed` (sent by
`authenticate`, which allauth's log-in form and the password views call) for an address that
has an account. An address with no account is not logged: it may be a typo, or a password
typed into the wrong field."""

from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.dispatch import receiver

from apps.accounts.models import User
from apps.core import audit
from apps.core.text import normalize_email


@receiver(user_login_failed, dispatch_uid="accounts.audit_sign_in_failed")
def record_sign_in_failure(sender, credentials, request=None, **kwargs) -> None:
    address = credentials.get("email") or credentials.get("username") or ""
    if not isinstance(address, str) or "@" not in address:
        return
    user = User.objects.filter(email=normalize_email(address)).first()
    if user is None:
        return
    with transaction.atomic():
        audit.record(
            "account.sign_in_failed",
            obj=user,
            label=user.email,
            actor_email="",
            request=request,
            actor=None,
        )
