"""Two qclusters (two machines, one configuration) running the same schedules
against one database.

django-q2's scheduler (django_q/scheduler.py) reads the due schedules with
SELECT ... FOR UPDATE inside a transaction and moves `next_run` before
committing; the second cluster's SELECT waits for that lock and then re-checks
`next_run < now` on the updated row (PostgreSQL's READ COMMITTED re-check), so a
schedule fires once per period, whichever cluster gets it. The clusters tick
every 30 s (hard-coded in django-q2's guard loop); the test makes each schedule
due twice and counts the tasks each one created.

Work itself may still run twice (the ORM broker is at least once; an operator may
run a task by hand): the test also queues the poll and the SLA sweep three times
each, so both clusters' workers run them at once. Idempotency absorbs it: one
poller per account (the lease), the sweep shares cases with SKIP LOCKED and fires
each level once (unique constraint).
"""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_q.models import OrmQ, Schedule, Task
from django_q.tasks import async_task

from cases.models_sla import Escalation
from social_ingest.models import InboundEvent, SocialAccount
from tests.factories import ACCOUNT_ID
from tests.fault.conftest import subprocess_env
from tests.fault.invariants import assert_invariants
from tests.fault.procs import wait_for


def runs() -> dict[str, int]:
    """Tasks created per schedule (a schedule's tasks carry its name as group)."""
    names = list(Schedule.objects.values_list("name", flat=True))
    return {name: Task.objects.filter(group=name).count() for name in names}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clusters_fire_each_schedule_once_per_period_and_do_the_work_once(
    postgres_only, live_x, x_server, children
):
    fake = x_server.fake
    account = SocialAccount.objects.create(
        handle="SadaMinistry", external_id=ACCOUNT_ID, poll_interval_seconds=1
    )
    # Cases opened ten days ago: every level of their ladders is due now.
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        for i in range(12):
            fake.add_mention(f"@SadaMinistry old question {i}", author_id=str(200 + i))
        call_command("poll_mentions", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115
    fake.burst(40, author_id="299")  # new since then: for the clusters' polls
    schedules = list(Schedule.objects.values_list("name", flat=True))
    assert {"sada: poll X mentions", "sla-sweep"} <= set(schedules), schedules
    # The same work queued three times more, as a double-running scheduler would.
    for _ in range(3):
        async_task("cases.tasks.sla_sweep", group="forced")
        async_task("social_ingest.tasks.poll_account", account.pk, group="forced")
    Schedule.objects.update(next_run=timezone.now() - timedelta(seconds=1))

    env = subprocess_env(
        x_server,
        connection.settings_dict,
        SECRET_KEY=settings.SECRET_KEY,
        Q_WORKERS="2",
        Q_ORM_POLL="0.2",
        LOG_LEVEL="INFO",
    )
    clusters = [children.start(["qcluster"], env, f"qcluster-{n}") for n in (1, 2)]
    # Period 1: each schedule fires once (first scheduler tick ~30 s after start).
    assert wait_for(lambda: min(runs().values()) >= 1, 75), clusters[0].output()[-2000:]
    # Period 2: every schedule due again.
    Schedule.objects.update(next_run=timezone.now() - timedelta(seconds=1))
    assert wait_for(lambda: min(runs().values()) >= 2, 75), clusters[1].output()[-2000:]
    assert wait_for(lambda: not OrmQ.objects.exists() and InboundEvent.objects.count() == 52, 60)
    for cluster in clusters:
        assert cluster.alive()
        cluster.kill()

    counted = runs()
    # Each cluster logs the tasks its scheduler created: together, exactly these.
    created = [c.output().count("from schedule [") for c in clusters]
    assert sum(created) == sum(counted.values()), created
    assert set(counted.values()) == {2}, f"a schedule ran twice in one period: {counted}"
    forced = Task.objects.filter(group="forced")
    assert forced.count() == 6 and all(t.success for t in forced), [t.result for t in forced]
    which = {t.cluster for t in Task.objects.all()}
    totals = assert_invariants(served=x_server.served, fake=fake)
    assert totals.mentions == 52 and totals.escalations > 0
    assert Escalation.objects.values("case").distinct().count() == 12
    print(
        f"\ntwo clusters: schedule runs {counted}, forced duplicates 6, "
        f"created by cluster 1/2: {created}, mentions {totals.mentions}, "
        f"escalations {totals.escalations}, task cluster names {which}"
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schedulers_racing_at_the_same_instant_create_each_task_once(postgres_only):
    """The real clusters above tick 30 s apart by construction and rarely meet inside
    the scheduler's transaction; here four schedulers (one connection each) run at
    the same instant, five rounds, every schedule due each round."""
    from django_q.brokers import get_broker
    from django_q.scheduler import scheduler

    from tests.fault.test_webhook_races import at_once

    schedules = Schedule.objects.count()
    created = []
    for _round in range(5):
        OrmQ.objects.all().delete()
        Schedule.objects.update(next_run=timezone.now() - timedelta(seconds=1))
        at_once(*[lambda: scheduler(broker=get_broker())] * 4)
        created.append(OrmQ.objects.count())
        assert not Schedule.objects.filter(next_run__lte=timezone.now()).exists()
    assert created == [schedules] * 5, f"tasks created per round: {created}"
