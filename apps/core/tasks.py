"""E-mail tasks, run through apps.core.jobs.enqueue (which retries with a back-off).

Account e-mail (password reset, address confirmation, sign-up notices) goes through
`send_account_email`, on the "account" queue that a worker of its own consumes, so that it never
waits behind bulk mail (invitations and reminders, on the "bulk" queue):

    jobs.enqueue(send_account_email, subject, body, [to], html)
"""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


def _send(subject: str, body: str, to: list[str], html: str | None) -> None:
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@shared_task
def send_rendered_email(subject: str, body: str, to: list[str], html: str | None = None) -> None:
    """Send an e-mail already rendered in the request: on the "account" queue too (its callers
    are the account flows) unless enqueued with `queue=`."""
    _send(subject, body, to, html)


@shared_task
def send_account_email(subject: str, body: str, to: list[str], html: str | None = None) -> None:
    """Send an account e-mail already rendered in the request: on the "account" queue."""
    _send(subject, body, to, html)
