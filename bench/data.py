"""The bench datasets: queues that really hold 10,000 / 100,000 / 1,000,000 open cases.

One agent per queue sees exactly its queue (the cases are P2-P4, so no P1 from
elsewhere leaks in), so "the same page at 10k, 100k and 1M" is the same query
over a queue of that size, in the same table. Rows are made by one
INSERT ... SELECT generate_series per 250,000 (the SLA sweep's builder, with
varied priorities, statuses and due times), once per bench database, and kept.
"""

from __future__ import annotations

import time

from bench.common import cases_insert_series

# size -> (queue slug, reference prefix). References have the real shape
# (C-YYYY-NNNNNN, which the API checks) in years no real case has.
SIZES = {
    10_000: ("bench-10k", "C-1901-"),
    100_000: ("bench-100k", "C-1902-"),
    1_000_000: ("bench-1m", "C-1903-"),
}


def bench_queue(size: int):
    """The queue of `size` cases: one of SIZES, or any other (`--n`) as bench-<size>."""
    from cases.models import Queue

    slug = SIZES[size][0] if size in SIZES else f"bench-{size}"
    queue, _ = Queue.objects.get_or_create(
        slug=slug, defaults={"name_en": f"Bench {size:,}", "name_ar": f"اختبار {size:,}"}
    )
    return queue


def reference_prefix(size: int) -> str:
    """The references' prefix of that queue: another size than SIZES takes the year
    1000 + its queue's id (stable, unique, and no real case's)."""
    if size in SIZES:
        return SIZES[size][1]
    return f"C-{1000 + bench_queue(size).pk:04d}-"


def bench_agent(size: int, index: int = 0):
    """An agent who is a member of that bench queue only."""
    from cases.models import User

    queue = bench_queue(size)
    user, _ = User.objects.get_or_create(username=f"bench_{queue.slug}_{index}")
    user.queues.set([queue])
    return user


CUSTOMERS = 1_000  # per bench queue: each customer has many cases, as regulars do


def _customers(prefix: str) -> list[int]:
    from cases.models import Customer

    Customer.objects.bulk_create(
        [
            Customer(
                platform="x",
                external_id=f"{prefix}{i}",
                handle=f"bench_{prefix.strip('-C').replace('-', '_')}_{i}",
                name=f"Bench {i}",
                followers=i * 37,
                verified=i % 50 == 0,
            )
            for i in range(CUSTOMERS)
        ],
        ignore_conflicts=True,
    )
    return list(
        Customer.objects.filter(platform="x", external_id__startswith=prefix)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def build_queue(size: int) -> float:
    """Fill the bench queue of `size` up to `size` open cases; seconds spent (0 if there)."""
    from django.utils import timezone

    from cases.models import Case, SlaPolicy

    queue = bench_queue(size)
    prefix = reference_prefix(size)
    have = Case.objects.filter(queue=queue).count()
    if have >= size:
        return 0.0
    started = time.perf_counter()
    policy = SlaPolicy.objects.filter(priority="P3").order_by("pk").first()
    customers = _customers(prefix)
    now = timezone.now()
    # A spread that is not the id order: the inbox must really sort, not read ids.
    spread = "make_interval(secs => ((g::bigint * 7919) %% 259200))"
    expressions = {
        "reference": f"'{prefix}' || lpad(g::text, 8, '0')",
        # 1 in 10 new, 1 in 20 pending, the rest open: every one counts as open.
        "status": "CASE WHEN g %% 10 = 0 THEN 'new' WHEN g %% 20 = 1 THEN 'pending' ELSE 'open' END",
        "priority": "'P' || (2 + g %% 3)::text",
        "queue_id": str(queue.pk),
        "customer_id": "(%(customers)s::bigint[])[1 + g %% %(customer_count)s]",
        "conversation_id": "g::text",
        "language": "CASE WHEN g %% 3 = 0 THEN 'en' ELSE 'ar' END",
        "created_at": f"%(now)s - interval '3 days' + {spread}",
        "opened_at": f"%(now)s - interval '3 days' + {spread}",
        "updated_at": "%(now)s",
        "last_customer_message_at": f"%(now)s - interval '3 days' + {spread}",
        "sla_policy_id": str(policy.pk) if policy else "NULL",
        "resolution_running_since": f"%(now)s - interval '3 days' + {spread}",
        # A quarter already answered: their clock runs to the resolution due time.
        "first_responded_at": "CASE WHEN g %% 4 = 0 THEN %(now)s - interval '1 hour' END",
        "first_response_warn_at": f"%(now)s - interval '1 day' + {spread}",
        "first_response_due": f"%(now)s - interval '1 day' + {spread}",
        "resolution_warn_at": f"%(now)s + interval '1 day' + {spread}",
        "resolution_due": f"%(now)s + interval '2 days' + {spread}",
        # The SLA sweep has its own database; here no clock comes due during a run.
        "sla_check_at": f"%(now)s + interval '30 days' + {spread}",
    }
    params = {"now": now, "customers": customers, "customer_count": len(customers)}
    cases_insert_series(expressions, params, have + 1, size)
    return time.perf_counter() - started


def build_all(sizes=(10_000, 100_000, 1_000_000)) -> float:
    return sum(build_queue(size) for size in sizes)
