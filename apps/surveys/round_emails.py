"""The e-mails of a round to its participants: the invitation (once) and each reminder (once).

Their jobs store the participant's id, never the link: it is derived again when the e-mail is
sent (round_services.participant_link)."""

import logging
import zoneinfo
from datetime import datetime

from django.utils import timezone

from apps.core.dates import closing_text
from apps.core.emails import send_templated_email
from apps.surveys.bank_preview import minutes_to_answer
from apps.surveys.models import Answer, Participant, RoundStatus
from apps.surveys.round_services import CLOSE_MOVED, participant_link

log = logging.getLogger(__name__)


def participant_email_send(*, participant_id: int, kind: str, stamp: str | None = None) -> None:
    """Send the invitation (`kind="invitation"`) or the reminder queued at `stamp`, once each:
    a redelivered job, or one for someone who has answered or lost their link, does nothing.
    `kind=CLOSE_MOVED`: the close date moved to `stamp` (`close_moved_send`)."""
    if kind == CLOSE_MOVED:
        close_moved_send(participant_id=participant_id, closes_at=stamp)
        return
    pending = Participant.objects.filter(
        pk=participant_id, submitted_at__isnull=True, revoked_at__isnull=True
    )
    if kind == "invitation":
        claim, undo = {"invited_at": timezone.now()}, {"invited_at": None}
        claimed = pending.filter(invited_at__isnull=True).update(**claim)
    else:
        reminded_at = datetime.fromisoformat(stamp)
        claim, undo = {"reminder_sent_at": reminded_at}, {"reminder_sent_at": None}
        claimed = (
            pending.filter(reminded_at=reminded_at)
            .exclude(reminder_sent_at=reminded_at)
            .update(**claim)
        )
    if not claimed:
        log.info("Participant %s: %s already sent or no longer needed.", participant_id, kind)
        return
    participant = Participant.objects.select_related(
        "round__team__organization", "round__bank", "round__created_by"
    ).get(pk=participant_id)
    round_ = participant.round
    question_count = round_.bank.questions.count()
    subject = (
        f"Reminder: please answer “{round_.title}”"
        if kind == "reminder"
        else f"{round_.team.name}: please answer “{round_.title}”"
    )
    try:
        zone = zoneinfo.ZoneInfo(round_.team.organization.time_zone)
        with timezone.override(zone):
            send_templated_email(
                to=[participant.email],
                subject=subject,
                template="emails/round_invitation",
                context={
                    "round": round_,
                    "participant": participant,
                    "link": participant_link(participant),
                    "asker": round_asker(round_),
                    "question_count": question_count,
                    "minutes": minutes_to_answer(question_count),
                    "is_reminder": kind == "reminder",
                },
            )
    except Exception:
        Participant.objects.filter(pk=participant_id).update(**undo)
        raise


def round_asker(round_) -> str:
    """Who asks, as the e-mails name them: the person who created the round, with their address
    (organization and team names are not unique, so a look-alike shows a stranger's address);
    "The lead of <team>" when that account is gone."""
    user = round_.created_by
    if user is None:
        return f"The lead of {round_.team.name}"
    name = " ".join(user.name.split())
    return f"{name} ({user.email})" if name and name != user.email else user.email


def close_moved_send(*, participant_id: int, closes_at: str) -> None:
    """Tell a participant the round's close date moved to `closes_at` (ISO). Nothing when it
    has moved again since (the later move's e-mail says where it is now), when the round has
    closed, or when they have submitted or lost their link in the meantime. The job queue runs
    each job once (`apps.core.jobs.claim`)."""
    participant = (
        Participant.objects.select_related(
            "round__team__organization", "round__bank", "round__created_by"
        )
        .filter(
            pk=participant_id,
            submitted_at__isnull=True,
            revoked_at__isnull=True,
            round__status=RoundStatus.OPEN,
            round__closes_at=datetime.fromisoformat(closes_at),
        )
        .first()
    )
    if participant is None:
        log.info("Participant %s: the close-date notice is no longer needed.", participant_id)
        return
    round_ = participant.round
    zone = zoneinfo.ZoneInfo(round_.team.organization.time_zone)
    with timezone.override(zone):
        send_templated_email(
            to=[participant.email],
            subject=f"New close date for “{round_.title}”: "
            f"{closing_text(round_.period.closes, zone.key, named=False)}",
            template="emails/round_close_moved",
            context={
                "round": round_,
                "participant": participant,
                "link": participant_link(participant),
                "asker": round_asker(round_),
                "started": participant_has_answers(participant),
                "minutes": minutes_to_answer(round_.bank.questions.count()),
            },
        )


def participant_has_answers(participant) -> bool:
    return Answer.objects.filter(response__participant=participant).exists()
