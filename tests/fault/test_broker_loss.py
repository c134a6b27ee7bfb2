"""What each django-q2 broker loses when it, or a worker, dies.

- Redis (REDIS_URL): at most once. A task pushed to a Redis that then dies
  (no persistence) is gone, and while Redis is down a committed change cannot
  push its task at all. Neither may make a reply vanish: the reply stays
  "queued" on the case, the request that made it answers normally (an ERROR is
  logged, never a 500 for a change that was committed), and the periodic
  `retry_deliveries` re-drives it once Redis is back: posted exactly once.
- ORM (default): the task row commits with the reply; a worker that takes it
  and dies leaves it locked, and it is handed out again after Q_RETRY seconds.
  Nothing is lost.

Redis here is a private `redis-server` on a free port (the shared one on :6379
serves other suites).
"""

import logging
import shutil
import subprocess
from datetime import timedelta

import pytest
import redis
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage

from cases.models import Message
from social_ingest import tasks
from social_ingest.models import SocialAccount
from tests.factories import ACCOUNT_ID
from tests.fault.invariants import assert_invariants
from tests.fault.procs import free_port, wait_for


class PrivateRedis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self.up, 10), "redis-server did not start"

    def up(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def kill(self):
        self.proc.kill()
        self.proc.wait(10)


@pytest.fixture
def private_redis():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed: apt-get install redis-server")
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            server.kill()


@pytest.fixture
def redis_broker(private_redis, settings, monkeypatch):
    """This process enqueues to the private Redis (django-q2 reads its Conf once)."""
    settings.REDIS_URL = private_redis.url
    settings.Q_CLUSTER = {k: v for k, v in settings.Q_CLUSTER.items() if k not in ("orm", "poll")}
    settings.Q_CLUSTER["redis"] = private_redis.url
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", private_redis.url)
    return private_redis


def run_queued(broker) -> list:
    """Act as a worker: take every queued task from the broker and run it."""
    results = []
    while True:
        batch = broker.dequeue()
        if not batch:
            return results
        for ack_id, payload in batch:
            task = SignedPackage.loads(payload)
            func = task["func"]
            module, name = func.rsplit(".", 1)
            results.append(getattr(__import__(module, fromlist=[name]), name)(*task["args"]))
            if ack_id is not None:
                broker.acknowledge(ack_id)


@pytest.fixture
def case_refs(live_x, transactional_db):
    SocialAccount.objects.create(handle="SadaMinistry", external_id=ACCOUNT_ID)
    for i in range(3):
        live_x.add_mention(f"@SadaMinistry question {i}", author_id=str(800 + i))
    call_command("poll_mentions", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return list(
        Message.objects.filter(direction="in")
        .order_by("id")
        .values_list("case__reference", flat=True)
    )


def reply(client, reference: str, text: str):
    return client.post(
        f"/api/v1/cases/{reference}/reply/", {"text": text}, content_type="application/json"
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_redis_down_loses_queued_tasks_but_no_reply(
    postgres_only, redis_broker, live_x, x_server, case_refs, supervisor, client, caplog
):
    client.force_login(supervisor)
    broker = get_broker()
    # 1. A reply queued while Redis is up; Redis dies before a worker takes it.
    assert reply(client, case_refs[0], "Answer one").status_code in (200, 201)
    assert broker.queue_size() == 1
    redis_broker.kill()
    # 2. A reply made while Redis is down: stored, the request succeeds, the failure
    #    to queue is logged loudly.
    with caplog.at_level(logging.ERROR):
        answer = reply(client, case_refs[1], "Answer two")
    assert answer.status_code in (200, 201), answer.content
    assert any("could not queue" in r.getMessage() for r in caplog.records)
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["broker"].startswith("failing")
    redis_broker.start()  # empty: nothing was persisted
    assert get_broker().queue_size() == 0, "the queued task survived: not at-most-once"
    assert set(Message.objects.filter(direction="out").values_list("delivery", flat=True)) == {
        "queued"
    }
    # 3. A reply after Redis is back goes straight through.
    assert reply(client, case_refs[2], "Answer three").status_code in (200, 201)
    assert run_queued(get_broker()) == ["posted"]
    # 4. The periodic re-drive (every minute) finds the two replies whose task was lost.
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        redriven = tasks.retry_deliveries()
        assert len(redriven) == 2
        assert sorted(run_queued(get_broker())) == ["posted", "posted"]
        assert tasks.retry_deliveries() == []
    totals = assert_invariants(served=x_server.served, fake=live_x)
    assert totals.replies_sent == 3 and len(live_x.posts) == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_orm_broker_hands_a_dead_workers_task_out_again(
    postgres_only, live_x, x_server, case_refs, supervisor, client, settings
):
    assert "orm" in settings.Q_CLUSTER
    client.force_login(supervisor)
    assert reply(client, case_refs[0], "Answer one").status_code in (200, 201)
    broker = get_broker()
    taken = broker.dequeue()  # a worker takes the task...
    assert len(taken) == 1
    assert not broker.dequeue(), "a taken task is locked for Q_RETRY seconds"
    # ...and dies without acknowledging it. After Q_RETRY it is handed out again.
    with time_machine.travel(timezone.now() + timedelta(seconds=Conf.RETRY + 1)):
        assert run_queued(broker) == ["posted"]
    assert broker.queue_size() == 0 and broker.lock_size() == 0
    totals = assert_invariants(served=x_server.served, fake=live_x)
    assert totals.replies_sent == 1
