from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task  # run through apps.core.jobs.enqueue, which retries with a back-off
def send_rendered_email(subject: str, body: str, to: list[str], html: str | None = None) -> None:
    """Send an e-mail already rendered in the request (e.g. a password reset link)."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
