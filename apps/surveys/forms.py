import datetime as dt
import zoneinfo

from django import forms
from django.utils import timezone

from apps.surveys.email_lists import parse_email_list
from apps.surveys.models import BankStatus, QuestionBank

# Dates far from today are typos or probes; near the ends of the calendar (0001, 9999) the close
# at the end of the day and the conversion to UTC overflow.
EARLIEST_DATE = dt.date(2000, 1, 1)
MAX_YEARS_AHEAD = 5


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class RoundForm(forms.Form):
    """Dates are entered in the organization's time zone; a round closes at the end of its
    close date unless a time is given."""

    title = forms.CharField(max_length=200)
    bank = forms.ModelChoiceField(queryset=None, label="Question bank", empty_label=None)
    opens_on = forms.DateField(label="Opens on", widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label="Closes on", widget=forms.DateInput(attrs={"type": "date"}))
    closes_time = forms.TimeField(
        label="Closing time (optional)",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="Leave empty to close at the end of the day.",
    )
    anonymous = forms.BooleanField(
        required=False,
        initial=True,
        label="Anonymous",
        help_text="Nobody, not even leads or admins, can see who answered what or who is "
        "still pending.",
    )
    min_respondents = forms.IntegerField(
        min_value=2,
        max_value=1000,
        initial=3,
        label="Minimum respondents",
        help_text="Team results stay hidden until this many people have submitted.",
    )

    # What stays as it is once people have started answering (`locked`): shown, not editable.
    LOCKED_FIELDS = ("bank", "opens_on", "anonymous", "min_respondents")

    def __init__(self, *args, time_zone: str, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(time_zone)
        self.locked = locked
        if locked:
            for name in self.LOCKED_FIELDS:
                self.fields[name].disabled = True
            self.fields["closes_on"].help_text = (
                "Move it later to give people more time, or earlier (not into the past). "
                "Everyone invited who has not submitted yet is told by e-mail."
            )
        self.fields["bank"].queryset = QuestionBank.objects.filter(
            status=BankStatus.PUBLISHED
        ).order_by("title", "-version")
        self.fields["bank"].label_from_instance = lambda b: f"{b.title} (version {b.version})"
        if not self.is_bound and "opens_on" not in self.initial:
            today = timezone.localdate(timezone=self.zone)
            self.initial.update(opens_on=today, closes_on=today + dt.timedelta(days=14))

    @classmethod
    def initial_from_round(cls, round_, time_zone: str) -> dict:
        zone = zoneinfo.ZoneInfo(time_zone)
        closes = round_.closes_at.astimezone(zone)
        end_of_day = closes.time() == dt.time(0)
        return {
            "title": round_.title,
            "bank": round_.bank,
            "opens_on": round_.opens_at.astimezone(zone).date(),
            "closes_on": (closes - dt.timedelta(days=1)).date() if end_of_day else closes.date(),
            "closes_time": None if end_of_day else closes.time(),
            "anonymous": round_.anonymous,
            "min_respondents": round_.min_respondents,
        }

    def _check_date_range(self, cleaned) -> None:
        latest = _years_after(timezone.localdate(timezone=self.zone), MAX_YEARS_AHEAD)
        for name in ("opens_on", "closes_on"):
            day = cleaned.get(name)
            if day is None:
                continue
            if day > latest:
                self.add_error(
                    name,
                    f"Choose a date within {MAX_YEARS_AHEAD} years, "
                    f"on {latest.day} {latest:%B %Y} at the latest.",
                )
            elif day < EARLIEST_DATE:
                self.add_error(
                    name, f"Choose a date from {EARLIEST_DATE.day} {EARLIEST_DATE:%B %Y} on."
                )

    def clean(self):
        cleaned = super().clean()
        self._check_date_range(cleaned)
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on:
            opens_at = dt.datetime.combine(opens_on, dt.time(0), self.zone)
            if cleaned.get("closes_time"):
                closes_at = dt.datetime.combine(closes_on, cleaned["closes_time"], self.zone)
            else:
                closes_at = dt.datetime.combine(
                    closes_on + dt.timedelta(days=1), dt.time(0), self.zone
                )
            if closes_at <= opens_at:
                self.add_error("closes_on", "The round must close after it opens.")
            cleaned["opens_at"], cleaned["closes_at"] = opens_at, closes_at
        return cleaned


class InviteForm(forms.Form):
    emails = forms.CharField(
        required=False,
        label="E-mail addresses",
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "one@example.com, another@example.com"}
        ),
        help_text="Separate them with commas, spaces or new lines. Duplicates are merged.",
    )
    members = forms.MultipleChoiceField(
        required=False, label="Team members", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, member_emails: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(email, email) for email in member_emails]

    def clean(self):
        cleaned = super().clean()
        parsed = parse_email_list(cleaned.get("emails", ""))
        cleaned["invalid"] = parsed.invalid
        chosen = list(dict.fromkeys([*cleaned.get("members", []), *parsed.valid]))
        cleaned["valid"] = chosen
        if not chosen and not parsed.invalid:
            raise forms.ValidationError("Paste at least one e-mail address or pick team members.")
        return cleaned
