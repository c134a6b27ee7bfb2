"""PostgreSQL restarted in immediate mode (a crash: every backend killed, no
checkpoint) in the middle of ingest and in the middle of an SLA sweep, on a private
cluster (the shared server on :5432 is never touched).

What recovers by itself, and what a supervisor (systemd, Kubernetes, the next
schedule) restarts:
- the long-running `poll_mentions` catches the database error, reconnects on its
  next round and finishes the interrupted poll (the watermark had not moved);
- a `qcluster` survives: workers and the monitor close broken connections before
  each task (django-q2 calls `close_old_connections`), the ORM broker's pusher does
  so before each dequeue, the scheduler before each run; it takes new tasks after
  the restart without being restarted;
- a one-shot sweep dies with the connection error; run again (as the schedule
  does every minute) it fires what is left, and nothing twice.
"""

import json
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.utils import timezone

from cases.models import Case
from cases.models_sla import Escalation
from social_ingest.models import InboundEvent, SocialAccount
from tests.factories import ACCOUNT_ID
from tests.fault.conftest import subprocess_env
from tests.fault.invariants import assert_invariants
from tests.fault.pgblock import RowGate
from tests.fault.pgcluster import PrivatePostgres, attached, pg_bin
from tests.fault.procs import MANAGE, free_port, run_manage, wait_for

DB = "sada_fault_restart"
MENTIONS = 50


@pytest.fixture(scope="module")
def private_pg():
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("concurrency is tested on PostgreSQL only (set DATABASE_URL)")
    bindir = pg_bin()
    if bindir is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
        )
    pg = PrivatePostgres(bindir)
    pg.init()
    try:
        pg.createdb(DB)
        run_manage(["migrate", "-v0"], subprocess_env(None, pg.url(DB)), timeout=180)
        yield pg
    finally:
        pg.stop()


def survives_restarts(db: str, read):
    """`read` on the private database; after a restart the test's own connection
    is broken too: close it and report -1 ("not yet")."""

    def guarded():
        try:
            return read()
        except (OperationalError, InterfaceError):
            connections[db].close()
            return -1

    return guarded


def sweep_command(now) -> list[str]:
    code = (
        "import json; from datetime import datetime; "
        "from cases.sla_services import sla_sweep; "
        f"r = sla_sweep(now=datetime.fromisoformat({now.isoformat()!r}), batch_size=5, "
        "max_seconds=600); print('SWEPT ' + json.dumps(r.as_dict()))"
    )
    return ["shell", "-c", code]


def swept(output: str) -> dict:
    [line] = [x for x in output.splitlines() if x.startswith("SWEPT ")]
    return json.loads(line.removeprefix("SWEPT "))


def test_postgres_restarted_mid_ingest_and_mid_sweep_recovers_and_keeps_invariants(
    private_pg, x_server, children, django_db_blocker
):
    fake = x_server.fake
    # A long poll lease: the poller must give its own lease back after the restart,
    # not wait for it to run out.
    env = subprocess_env(
        x_server, private_pg.url(DB), Q_WORKERS="1", Q_ORM_POLL="0.2", X_POLL_LEASE_SECONDS="600"
    )
    for i in range(MENTIONS):
        fake.add_mention(f"@SadaMinistry restart {i}", author_id=str(7000 + i))
    with attached("private", private_pg.url(DB)) as db, django_db_blocker.unblock():
        account = SocialAccount.objects.using(db).create(
            handle="SadaMinistry", external_id=ACCOUNT_ID, poll_interval_seconds=1
        )
        clock = [time.monotonic()]

        def lap() -> str:
            clock.append(time.monotonic())
            return f"{clock[-1] - clock[-2]:.1f}s"

        stored = survives_restarts(db, InboundEvent.objects.using(db).count)
        cluster = children.start(["qcluster"], {**env, "LOG_LEVEL": "INFO"}, "qcluster")
        # Up and running first: a cluster *starting* while the database is down
        # exits (see the next test), a running one rides the restart out.
        assert wait_for(lambda: " running." in cluster.output(), 60), cluster.output()

        # 1. Restart while the poller is storing the mentions: the 21st (oldest
        #    first) is held at a gate inside its transaction, 20 are committed.
        ids = sorted(fake.mentions, key=lambda i: (len(i), i))
        gate = RowGate(
            private_pg.url(DB),
            table="social_ingest_inboundevent",
            when=f"NEW.external_id = '{ids[20]}'",
        )
        with gate:
            poller = children.start(["poll_mentions"], env, "poller")
            assert gate.wait_closed_on(90), poller.output()
            at_restart = stored()
            private_pg.restart_immediate()
        assert wait_for(lambda: stored() == MENTIONS, 120), poller.output()[-3000:]
        assert at_restart < MENTIONS, "the restart came after the ingest: not mid-ingest"
        assert poller.alive(), poller.output()
        assert "database error, retrying" in poller.output()
        newest = max(fake.mentions, key=lambda i: (len(i), i))
        watermark = survives_restarts(
            db, lambda: SocialAccount.objects.using(db).get(pk=account.pk).since_id
        )
        assert wait_for(lambda: watermark() == newest, 30)
        poller.stop()
        laps = ["ingest " + lap()]

        # 2. The cluster, never restarted, still takes tasks (the ORM broker's queue
        #    lives in the restarted database).
        fake.burst(25, author_id="7999")
        enqueue = f"from django_q.tasks import async_task; async_task('social_ingest.tasks.poll_account', {account.pk})"
        run_manage(["shell", "-c", enqueue], env)
        assert wait_for(lambda: stored() == MENTIONS + 25, 90), cluster.output()[-3000:]
        assert cluster.alive()
        laps.append("cluster " + lap())

        # 3. Restart in the middle of a sweep (batches of 5 cases, one transaction
        #    each); "now" a month ahead, so every case is overdue.
        future = timezone.now() + timedelta(days=30)
        escalations = survives_restarts(db, Escalation.objects.using(db).count)
        middle = Case.objects.using(db).order_by("sla_check_at", "id")[MENTIONS // 2]
        with RowGate(
            private_pg.url(DB), table="cases_escalation", when=f"NEW.case_id = {middle.pk}"
        ) as gate:
            sweep = children.start(sweep_command(future), env, "sweep")
            assert gate.wait_closed_on(120), sweep.output()
            private_pg.restart_immediate()
            sweep.proc.wait(60)
        assert wait_for(lambda: escalations() >= 0, 30)
        partial = escalations()
        # Rerun as the schedule would: it finishes the work, then a third run finds
        # nothing left to fire.
        again = swept(run_manage(sweep_command(future), env, timeout=180))
        third = swept(run_manage(sweep_command(future), env, timeout=180))
        assert third["escalations"] == 0 and third.get("breaches", 0) == 0, third
        total = escalations()
        laps.append("sweeps " + lap())
        overdue_cases = Case.objects.using(db).filter(status__in=["new", "open"]).count()
        escalated_cases = Escalation.objects.using(db).values("case").distinct().count()
        assert escalated_cases == overdue_cases, "an overdue case was never escalated"
        assert partial < total, "the restart came after the sweep: not mid-sweep"
        assert again["escalations"] == total - partial

        # 4. The cluster is still alive and working after the second restart.
        fake.burst(5, author_id="7998")
        run_manage(["shell", "-c", enqueue], env)
        assert wait_for(lambda: stored() == MENTIONS + 30, 90), cluster.output()[-3000:]

        totals = assert_invariants(served=x_server.served, using=db)
        cases = Case.objects.using(db).count()
        assert totals.mentions == MENTIONS + 30 and cases == totals.cases
        print(
            f"\nrestart: mentions {totals.mentions}, cases {cases}, restarts 2, "
            f"ingest restart at {at_restart}/{MENTIONS}, sweep restart at {partial}/{total} "
            f"escalations, second sweep {again}, third {third}; {laps} {lap()}"
        )


def test_a_cluster_started_while_the_database_is_down_exits_for_its_supervisor(private_pg):
    """django-q2's sentinel connects (ORM broker) as it starts: with the database
    unreachable the qcluster exits non-zero, and its supervisor (systemd
    `Restart=always`, Kubernetes) must start it again."""
    closed = f"postgres://postgres@127.0.0.1:{free_port()}/{DB}"
    done = subprocess.run(
        [sys.executable, str(MANAGE), "qcluster"],
        env=subprocess_env(None, closed),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=MANAGE.parent,
    )
    assert done.returncode != 0
    assert "failed to start" in done.stderr + done.stdout
