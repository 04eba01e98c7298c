"""Our rules for django-allauth's account flows (sign-up, log-in, verification, reset, change).

- Addresses are normalized one way everywhere (`normalize_email`: case, IDNA domains).
- Every e-mailed link starts with SITE_URL, never with the request's Host header.
- Account e-mail is queued as a durable job on the account queue, ahead of bulk mail.
- The client address for allauth's own limits is the one apps.core.ratelimit trusts.
"""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse

from apps.accounts.models import normalize_email
from apps.core import ratelimit


def site_url(path: str) -> str:
    """An absolute link for an e-mail: SITE_URL and a path of ours."""
    return f"{settings.SITE_URL}{path}"


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "The e-mail address or the password is not correct.",
        "email_taken": "An account already uses this e-mail address.",
        "unverified_primary_email": "Confirm your e-mail address first.",
    }

    def clean_email(self, email: str) -> str:
        return normalize_email(super().clean_email(email))

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.name = form.cleaned_data.get("name", "")
        if commit:
            user.save()
        return user

    def get_client_ip(self, request) -> str:
        return ratelimit.client_ip(request)

    # --- links in e-mails
    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", key))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def send_account_already_exists_mail(self, email: str) -> None:
        context = {
            "login_url": site_url(reverse("accounts:login")),
            "password_reset_url": site_url(reverse("accounts:password_reset")),
        }
        self.send_mail("account/email/account_already_exists", email, context)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render now (in the request), send from a worker after commit, on the account queue."""
        from apps.core import jobs
        from apps.core.tasks import send_account_email

        context = {"email": email, "site_url": settings.SITE_URL, **context}
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", []) or []
                if mimetype == "text/html"
            ),
            None,
        )
        jobs.enqueue(send_account_email, message.subject, message.body, list(message.to), html)
