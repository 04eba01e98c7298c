"""Rate limits: 429 with Retry-After on log-in, password reset, links, invitations and the API."""

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.services import api_token_create
from apps.organizations.models import Role
from apps.surveys.models import Answer

pytestmark = pytest.mark.django_db


def limited(settings, **rates):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}


def assert_refused(response, *, period):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= period
    return response


def log_in(client, email, password, address="10.0.0.1"):
    return client.post(
        reverse("accounts:login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def later(monkeypatch, seconds):
    """Move the rate limits' clock forward."""
    import time

    from apps.core import ratelimit

    now = time.time() + seconds
    monkeypatch.setattr(ratelimit.time, "time", lambda: now)


def test_failed_log_ins_slow_the_account_down_but_the_right_password_gets_in(
    client, member_of, monkeypatch
):
    member_of(email="ada@acme.example", password="right-horse-battery")
    for attempt in range(5):  # the first failures are free, from anywhere
        assert log_in(client, "ada@acme.example", "wrong", f"10.0.0.{attempt}").status_code == 200
    # Right after the 5th failure even the right password waits a moment (not checked at all).
    refused = assert_refused(log_in(client, "ada@acme.example", "right-horse-battery"), period=2)
    assert "Wait 2 seconds, then try again" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # A guesser keeps waiting twice as long each time: 2, 4, 8, 16 seconds …
    waits = []
    for step in range(4):
        later(monkeypatch, sum(waits) + 2 ** (step + 1))
        assert log_in(client, "ada@acme.example", "wrong").status_code == 200
        waits.append(2 ** (step + 1))
        assert int(log_in(client, "ada@acme.example", "wrong")["Retry-After"]) == 2 ** (step + 2)
    # The owner, after the wait, gets in with the right password, and the slate is clean.
    later(monkeypatch, sum(waits) + 32)
    assert log_in(client, "ada@acme.example", "right-horse-battery").status_code == 302
    client.logout()
    assert log_in(client, "ada@acme.example", "wrong").status_code == 200
    # Another person's account is not affected.
    member_of(email="bob@acme.example", password="right-horse-battery")
    assert log_in(client, "bob@acme.example", "right-horse-battery").status_code == 302


def test_successful_log_ins_do_not_count(client, member_of):
    member_of(email="ada@acme.example", password="right-horse-battery")
    for _ in range(12):
        assert log_in(client, "ada@acme.example", "right-horse-battery").status_code == 302
        client.logout()


def test_one_address_trying_many_accounts_is_stopped(client, settings, db):
    settings.BACKOFF_LIMITS = {**settings.BACKOFF_LIMITS, "login": "5/600"}
    for n in range(5):
        assert log_in(client, f"user{n}@acme.example", "guess").status_code == 200
    assert_refused(log_in(client, "user9@acme.example", "guess"), period=2)
    assert log_in(client, "user9@acme.example", "guess", "10.9.9.9").status_code == 200


def test_the_admin_log_in_has_the_same_limits(client, db):
    from apps.accounts.models import User

    User.objects.create_superuser("root@acme.example", "right-horse-battery")
    url = reverse("admin:login")
    answers = [
        client.post(url, {"username": "root@acme.example", "password": f"guess-{n}"}).status_code
        for n in range(60)
    ]
    assert answers[:5] == [200] * 5
    assert answers.count(429) >= 50  # without waiting, nearly every further guess is refused
    refused = client.post(url, {"username": "root@acme.example", "password": "right-horse-battery"})
    assert refused.status_code == 429 and "_auth_user_id" not in client.session


def test_password_reset_mails_an_address_at_most_three_times_an_hour(
    client, member_of, django_capture_on_commit_callbacks
):
    member_of(email="ada@acme.example")
    url = reverse("accounts:password_reset")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            response = client.post(url, {"email": "ada@acme.example"}, REMOTE_ADDR=f"10.1.0.{n}")
            assert response.status_code == 302
        assert_refused(client.post(url, {"email": "ADA@acme.example"}), period=3600)
    assert len(mail.outbox) == 3


def test_guessing_survey_links_is_stopped_per_address(client, settings, round_, invite):
    limited(settings, **{"link-guess": "5/600"})
    token = invite(round_, ["ada@example.com"])["ada@example.com"]
    for n in range(5):
        guess = client.get(reverse("surveys:intro", args=[f"guess-{n}"]), REMOTE_ADDR="10.2.0.1")
        assert guess.status_code == 404
    # Further guesses from that address wait…
    assert_refused(
        client.get(reverse("surveys:intro", args=["guess-9"]), REMOTE_ADDR="10.2.0.1"), period=600
    )
    # …but a real link from the same address (a shared office) still works, and so does sign-up.
    assert (
        client.get(reverse("surveys:intro", args=[token]), REMOTE_ADDR="10.2.0.1").status_code
        == 200
    )
    assert client.get(reverse("accounts:signup"), REMOTE_ADDR="10.2.0.1").status_code == 200
    # Everyone else answers as before: a colleague's real link from another address works.
    colleague = client.get(reverse("surveys:intro", args=[token]), REMOTE_ADDR="10.2.0.2")
    assert colleague.status_code == 200


def test_answering_does_not_count_as_guessing(client, settings, round_, invite):
    limited(settings, **{"link-guess": "2/600"})
    token = invite(round_, ["ada@example.com"])["ada@example.com"]
    question = round_.bank.questions.order_by("dimension__order", "order").first()
    choices = list(question.choices.all())
    for n in range(6):
        response = client.post(
            reverse("surveys:answer", args=[token]),
            {f"q-{question.pk}": choices[n % len(choices)].pk},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
    assert Answer.objects.filter(question=question).count() == 1


def test_one_link_hammered_gets_429_as_an_htmx_fragment(client, settings, round_, invite):
    limited(settings, **{"survey-link": "3/600"})
    token = invite(round_, ["ada@example.com"])["ada@example.com"]
    for _ in range(3):
        assert client.get(reverse("surveys:intro", args=[token])).status_code == 200
    response = client.post(reverse("surveys:answer", args=[token]), {}, HTTP_HX_REQUEST="true")
    assert_refused(response, period=600)
    assert "Too many attempts" in response.content.decode()


def test_a_survey_link_request_costs_one_trip_to_redis_and_still_stops_at_its_count(
    client, settings, round_, invite, monkeypatch
):
    """Checking and counting a link's window is one pipelined round trip (INCR, EXPIRE NX),
    not four (GET, SET NX, EXISTS, INCR); the window still expires and still refuses."""
    from django.core.cache import caches
    from redis.connection import Connection

    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        pytest.skip("the tests run against Redis (REDIS_URL)")
    limited(settings, **{"survey-link": "2/600"})
    token = invite(round_, ["ada@example.com"])["ada@example.com"]
    sent = []
    original = Connection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(Connection, "send_packed_command", counting)
    assert client.get(reverse("surveys:intro", args=[token])).status_code == 200
    trips = [c for c in sent if b"rl:survey-link" in b"".join(c if isinstance(c, list) else [c])]
    assert len(trips) == 1
    backend = caches["default"]
    key = next(k for k in backend._cache.get_client().keys("*rl:survey-link*"))
    assert 0 < backend._cache.get_client().ttl(key) <= 601
    assert client.get(reverse("surveys:intro", args=[token])).status_code == 200
    assert_refused(client.get(reverse("surveys:intro", args=[token])), period=600)


def test_guessing_invitation_links_is_stopped(client, settings, db):
    limited(settings, **{"link-guess": "3/600"})
    for n in range(3):
        url = reverse("organizations:invitation", args=[f"guess-{n}"])
        assert client.get(url).status_code == 404
    assert_refused(client.get(reverse("organizations:invitation", args=["guess-9"])), period=600)
    assert_refused(client.get(reverse("accounts:signup") + "?invitation=guess-10"), period=600)


def test_sending_invitations_is_limited_per_person(
    client, settings, org, member_of, django_capture_on_commit_callbacks
):
    limited(settings, invitations="2/3600")
    client.force_login(member_of(Role.ADMIN))
    url = reverse("organizations:member_list", args=[org.slug])
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            response = client.post(url, {"email": f"new{n}@acme.example", "role": Role.MEMBER})
            assert response.status_code == 302
        third = client.post(url, {"email": "new3@acme.example", "role": Role.MEMBER})
    assert_refused(third, period=3600)
    assert sorted(m.to[0] for m in mail.outbox) == ["new0@acme.example", "new1@acme.example"]
    assert client.get(url).status_code == 200  # reading the page is not limited


def test_the_api_limits_calls_per_token_as_json(client, settings, member_of):
    limited(settings, api="3/60")
    token = api_token_create(user=member_of(Role.EXECUTIVE), name="BI")[1]
    other = api_token_create(user=member_of(Role.EXECUTIVE), name="BI 2")[1]
    url = reverse("api:list_organizations")
    for _ in range(3):
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    refused = assert_refused(client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}"), period=60)
    assert refused.json()["detail"].startswith("Too many attempts")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200


def test_the_api_stops_an_address_trying_wrong_tokens(client, settings, member_of):
    limited(settings, **{"api-auth": "3/600"})
    token = api_token_create(user=member_of(Role.EXECUTIVE), name="BI")[1]
    url = reverse("api:list_organizations")
    for n in range(3):
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer mat_wrong{n}").status_code == 401
    assert_refused(client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}"), period=600)
    elsewhere = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR="10.3.0.1")
    assert elsewhere.status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, settings, db):
    limited(settings, **{"link-guess": "2/600"})
    settings.RATE_LIMIT_TRUSTED_PROXIES = 1
    url = reverse("surveys:intro", args=["guess"])
    for n in range(2):
        client.get(url, HTTP_X_FORWARDED_FOR=f"spoofed-{n}, 203.0.113.7")
    assert_refused(client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7"), period=600)
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 404


def test_with_the_cache_down_limits_open_instead_of_locking_people_out(
    client, settings, member_of, caplog
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.BACKOFF_LIMITS = {**settings.BACKOFF_LIMITS, "login-account": "0/900"}
    member_of(email="ada@acme.example", password="right-horse-battery")
    assert log_in(client, "ada@acme.example", "wrong").status_code == 200
    assert log_in(client, "ada@acme.example", "right-horse-battery").status_code == 302
    assert "Rate limit cache unavailable" in caplog.text
