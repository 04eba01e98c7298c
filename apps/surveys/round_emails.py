"""The e-mails of a round to its participants: the invitation (once) and each reminder (once).

Their jobs store the participant's id, never the link: it is derived again when the e-mail is
sent (round_services.participant_link)."""

import logging
import zoneinfo
from datetime import datetime

from django.utils import timezone

from apps.core.emails import send_templated_email
from apps.surveys.bank_preview import minutes_to_answer
from apps.surveys.models import Participant
from apps.surveys.round_services import participant_link

log = logging.getLogger(__name__)


def participant_email_send(*, participant_id: int, kind: str, stamp: str | None = None) -> None:
    """Send the invitation (`kind="invitation"`) or the reminder queued at `stamp`, once each:
    a redelivered job, or one for someone who has answered or lost their link, does nothing."""
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
