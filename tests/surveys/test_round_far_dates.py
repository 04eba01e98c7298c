"""Issue #11: a round closing on 9999-12-31 (or opening on 0001-01-01) was a 500 (OverflowError
computing the end of the day / the UTC time). Far dates are refused with a form error."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.surveys.models import Round
from tests.factories import published_bank

pytestmark = pytest.mark.django_db


def form(bank, **dates):
    return {
        "title": "Forever",
        "bank": bank.pk,
        "opens_on": timezone.localdate().isoformat(),
        "closes_on": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
        "anonymous": "on",
        "min_respondents": "3",
        **dates,
    }


@pytest.mark.parametrize(
    ("zone", "dates", "field_error"),
    [
        ("UTC", {"closes_on": "9999-12-31"}, "at the latest"),
        (
            "America/Los_Angeles",
            {"closes_on": "9999-12-31", "closes_time": "23:30"},
            "at the latest",
        ),
        ("Asia/Tokyo", {"opens_on": "0001-01-01"}, "Choose a date from 1 January 2000 on"),
        ("UTC", {"opens_on": "9999-12-30", "closes_on": "9999-12-31"}, "at the latest"),
    ],
)
def test_far_dates_are_a_form_error_not_a_500(client, org, team, lead, zone, dates, field_error):
    org.time_zone = zone
    org.save()
    client.force_login(lead)
    response = client.post(
        reverse("surveys:round_create", args=[org.slug, team.public_id]),
        form(published_bank(), **dates),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert field_error in html
    assert 'role="alert"' in html or "invalid-feedback" in html
    assert not Round.objects.exists()


def test_editing_a_round_to_close_on_9999_12_31_is_refused_and_keeps_the_round(
    client, org, round_, lead
):
    client.force_login(lead)
    before = Round.objects.get(pk=round_.pk).closes_at
    response = client.post(
        reverse("surveys:round_edit", args=[org.slug, round_.public_id]),
        form(round_.bank, closes_on="9999-12-31"),
    )
    assert response.status_code == 200
    assert "Choose a date within 5 years" in response.content.decode()
    assert Round.objects.get(pk=round_.pk).closes_at == before


def test_a_close_date_within_five_years_is_still_fine(client, org, team, lead):
    client.force_login(lead)
    response = client.post(
        reverse("surveys:round_create", args=[org.slug, team.public_id]),
        form(
            published_bank(),
            closes_on=(timezone.localdate() + dt.timedelta(days=4 * 365)).isoformat(),
        ),
    )
    assert response.status_code == 302
    assert Round.objects.get().title == "Forever"
