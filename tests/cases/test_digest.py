"""The weekly digest e-mail to supervisors (cases/digest.py)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django_q.models import Schedule

from cases import tasks
from cases.digest import digest_week, weekly_digest_send
from cases.models import DigestDelivery, Queue, User
from tests.cases.test_reports import make_case

RIYADH = ZoneInfo("Asia/Riyadh")
# Sunday 22 November 2026, 07:00 Riyadh: the digest covers 15–21 November.
RUN = datetime(2026, 11, 22, 7, tzinfo=RIYADH)


def person(username: str, *, group: str, email: str, language: str, **extra) -> User:
    user = User.objects.create_user(username, email=email, language=language, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def people(db):
    return {
        "sara": person("sara", group="Supervisors", email="sara@example.org", language="ar"),
        "john": person("john", group="Supervisors", email="john@example.org", language="en"),
        "root": person(
            "root", group="", email="root@example.org", language="en", is_superuser=True
        ),  # fmt: skip
        "nomail": person("nomail", group="Supervisors", email="", language="ar"),
        "gone": person(
            "gone", group="Supervisors", email="gone@example.org", language="ar", is_active=False
        ),  # fmt: skip
        "agent": person("amal", group="Agents", email="amal@example.org", language="ar"),
    }


@pytest.fixture
def week(db):
    general = Queue.objects.get(slug="general")
    start = datetime(2026, 11, 15, tzinfo=RIYADH)
    make_case("W1", start, general, category="complaint",
              first_responded_at=start + timedelta(seconds=900),
              first_response_seconds=900)  # fmt: skip
    make_case("W2", start + timedelta(days=3), general, category="<b>odd</b>")
    make_case("W3", datetime(2026, 11, 21, 23, 59, tzinfo=RIYADH), general)
    make_case("W0", start - timedelta(seconds=1), general)  # the week before
    make_case("W9", datetime(2026, 11, 22, tzinfo=RIYADH), general)  # this week


def test_a_bare_migrate_installs_the_weekly_schedule_for_sunday_morning(db):
    schedule = Schedule.objects.get(name="sada: weekly digest")
    assert schedule.func == "cases.tasks.weekly_digest"
    assert schedule.schedule_type == Schedule.WEEKLY and schedule.repeats == -1
    local = schedule.next_run.astimezone(RIYADH)
    assert (local.weekday(), local.hour, local.minute) == (6, 7, 0)  # Sunday 07:00


def test_the_week_is_the_seven_local_days_before_the_run():
    first, scope = digest_week(RUN)
    assert first.isoformat() == "2026-11-15"
    assert scope.start == datetime(2026, 11, 15, tzinfo=RIYADH)
    assert scope.end == datetime(2026, 11, 22, tzinfo=RIYADH)


def test_each_supervisor_gets_it_once_in_their_language(people, week):
    result = weekly_digest_send(now=RUN)
    assert result.sent == 3
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"sara@example.org", "john@example.org", "root@example.org"}

    english = by_address["john@example.org"]
    assert english.subject == "Sada weekly digest: 2026-11-15 to 2026-11-21"
    assert "Cases: 3 (week before: 1)" in english.body
    assert "Answered: 1 / 3 (33.3%)" in english.body
    assert "First response median (business): 15m" in english.body
    html, mime = english.alternatives[0]
    assert mime == "text/html"
    assert 'dir="ltr"' in html
    # Values are escaped in the HTML part (a category code is data, never markup).
    assert "<b>odd</b>" not in html and "&lt;b&gt;odd&lt;/b&gt;" in html
    assert "/reports/?preset=custom&amp;start=2026-11-15&amp;end=2026-11-21" in html

    arabic = by_address["sara@example.org"]
    assert re.search("[\u0600-\u06ff]", arabic.subject)
    assert 'dir="rtl"' in arabic.alternatives[0][0]
    assert "2026-11-15" in arabic.subject


def test_running_it_again_sends_nothing_twice(people, week):
    assert weekly_digest_send(now=RUN).sent == 3
    assert weekly_digest_send(now=RUN + timedelta(minutes=5)).sent == 0
    assert len(mail.outbox) == 3
    assert DigestDelivery.objects.filter(sent_at__isnull=False).count() == 3
    # A supervisor added later still gets this week's digest; the others do not.
    person("late", group="Supervisors", email="late@example.org", language="en")
    assert weekly_digest_send(now=RUN + timedelta(hours=1)).sent == 1
    assert mail.outbox[-1].to == ["late@example.org"]


def test_a_failed_send_leaves_the_digest_to_the_next_run(people, week, monkeypatch):
    def broken(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    with pytest.raises(OSError):
        weekly_digest_send(now=RUN)
    monkeypatch.undo()
    assert weekly_digest_send(now=RUN).sent == 3


def test_the_task_runs_the_digest(people, week, time_machine):
    time_machine.move_to(RUN, tick=False)
    assert tasks.weekly_digest() == {"period_start": "2026-11-15", "sent": 3, "skipped": 0}
