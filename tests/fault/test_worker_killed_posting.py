"""A qcluster killed (SIGKILL, every process of it) while its workers post replies
to X, then started again - or only its two workers killed, the cluster living on:
each reply reaches X exactly once and ends "sent".

Reply A: X creates the tweet, then the answer never comes back (the worker dies
after X posted). Reply B: X stalls before creating it (the worker dies before).
The delivery task is an ORM-broker row, locked by the dead cluster's pusher and
handed out again after Q_RETRY; the attempt the dead worker committed before
calling X tells the next one to look on the account's timeline first: A is
adopted from there, B is posted.
"""

import os
import signal
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from cases.models import Message
from cases.services import case_reply
from social_ingest.models import DeliveryAttempt, SocialAccount
from tests.factories import ACCOUNT_ID
from tests.fault.conftest import subprocess_env
from tests.fault.invariants import assert_invariants
from tests.fault.procs import pid_of_client, wait_for


def cluster_env(x_server) -> dict:
    return subprocess_env(
        x_server,
        connection.settings_dict,
        SECRET_KEY=settings.SECRET_KEY,  # tasks are signed with it by this process
        Q_WORKERS="2",
        Q_ORM_POLL="0.2",
        Q_TIMEOUT="20",
        Q_RETRY="8",  # a dead worker's task is handed out again after this
        X_DELIVERY_STALE_SECONDS="3",  # and its unfinished attempt is dead by then
    )


@pytest.mark.parametrize("kill", ["cluster", "workers"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_while_posting_replies_posts_each_exactly_once(
    postgres_only, live_x, x_server, children, agent, kill
):
    fake = x_server.fake
    SocialAccount.objects.create(handle="SadaMinistry", external_id=ACCOUNT_ID)
    tweets = [fake.add_mention(f"@SadaMinistry help {i}", author_id=str(400 + i)) for i in range(2)]
    call_command("poll_mentions", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115
    cases = [Message.objects.get(platform_id=t["id"]).case for t in tweets]
    for case in cases:
        case.queue.members.add(agent)

    both_inside, release = threading.Barrier(3), threading.Event()
    original = fake.handle

    def stalling(method, path, query, body):
        if method != "POST" or release.is_set():
            return original(method, path, query, body)
        if b"Answer A" in (body or b""):
            answer = original(method, path, query, body)  # posted on X...
            both_inside.wait(30)
            release.wait(60)  # ...and the answer never reaches the dead worker
            return answer
        both_inside.wait(30)  # B: stalls before X creates anything
        release.wait(60)
        return 503, {}, {"title": "Service Unavailable"}

    fake.handle = stalling
    replies = [
        case_reply(case=cases[0], author=agent, text="Answer A"),
        case_reply(case=cases[1], author=agent, text="Answer B"),
    ]
    env = cluster_env(x_server)
    first = children.start(["qcluster"], env, "qcluster-1")
    try:
        both_inside.wait(60)  # both workers are inside POST /2/tweets
    except threading.BrokenBarrierError:
        pytest.fail("the workers never posted:\n" + first.output()[-3000:])
    assert len(fake.posts) == 1  # A is on X, B is not
    if kill == "cluster":
        first.kill()  # SIGKILL to every process of the cluster
        survivor = children.start(["qcluster"], env, "qcluster-2")
    else:
        # SIGKILL only the two worker processes talking to X; the cluster's guard
        # starts new workers, and its pusher hands the tasks out again.
        server_port = int(x_server.url.rsplit(":", 1)[1])
        posting = [port for port, method, _path in list(x_server.peers) if method == "POST"]
        workers = {pid_of_client(port, server_port) for port in posting} - {None}
        assert len(workers) == 2 and workers <= set(first.children()), workers
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        survivor = first
    release.set()
    assert [m.delivery for m in Message.objects.filter(pk__in=[r.pk for r in replies])] == [
        "sending",
        "sending",
    ]

    sent = lambda: Message.objects.filter(direction="out", delivery="sent").count()  # noqa: E731
    assert wait_for(lambda: sent() == 2, 90), survivor.output()[-3000:]
    totals = assert_invariants(served=x_server.served, fake=fake)
    assert totals.replies_sent == 2 and len(fake.posts) == 2
    outcomes = {
        r.text: list(
            DeliveryAttempt.objects.filter(message_id=r.pk)
            .order_by("number")
            .values_list("outcome", flat=True)
        )
        for r in replies
    }
    assert outcomes == {"Answer A": ["", "adopted"], "Answer B": ["", "posted"]}, outcomes
    print(f"\n{kill} killed mid-POST: 2 replies, outcomes {outcomes}")
