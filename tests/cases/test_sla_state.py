"""`sla_state` read in Python (cases.sla) and in SQL (selectors_sla.with_sla_state) agree."""

import itertools
import random
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import sla
from cases.models import Case, Queue
from cases.selectors_sla import STATE_RANK, with_sla_state

NOW = datetime(2025, 11, 16, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)

# (warn_at, due) of a clock relative to NOW, including both boundaries.
CLOCKS = {
    "none": (None, None),
    "before_warning": (NOW + MINUTE, NOW + 10 * MINUTE),
    "at_warning": (NOW, NOW + 10 * MINUTE),
    "at_due": (NOW - MINUTE, NOW),
    "after_due": (NOW - 10 * MINUTE, NOW - MINUTE),
}
STATUSES = ["new", "open", "pending", "resolved", "closed"]
MET = [None, True, False]


def fields(status, first, answered, first_met, next_, next_met, resolution, running, res_met):
    first_warn, first_due = CLOCKS[first]
    next_warn, next_due = CLOCKS[next_]
    res_warn, res_due = CLOCKS[resolution]
    return dict(
        status=status,
        first_response_warn_at=first_warn,
        first_response_due=first_due,
        first_responded_at=NOW - 30 * MINUTE if answered else None,
        first_response_met=first_met,
        next_response_warn_at=next_warn,
        next_response_due=next_due,
        next_response_met=next_met,
        resolution_warn_at=res_warn,
        resolution_due=res_due,
        resolution_running_since=NOW - 60 * MINUTE if running else None,
        resolution_met=res_met,
    )


ALL = list(
    itertools.product(STATUSES, CLOCKS, [False, True], MET, CLOCKS, MET, CLOCKS, [False, True], MET)
)


def make_cases(rows: list[dict]) -> list[Case]:
    queue = Queue.objects.get(slug="general")
    return Case.objects.bulk_create(
        Case(reference=f"T-{n:06d}", queue=queue, **row) for n, row in enumerate(rows)
    )


def test_python_and_sql_agree_on_every_kind_of_clock(db):
    rows = [fields(*combo) for combo in random.Random(5).sample(ALL, 4000)]
    cases = make_cases(rows)
    expected = {case.pk: sla.sla_state(case, NOW) for case in cases}
    annotated = dict(with_sla_state(Case.objects.all(), NOW).values_list("pk", "sla_state"))
    assert annotated == expected
    assert set(expected.values()) == set(sla.STATES)
    breached = set(
        with_sla_state(Case.objects.all(), NOW)
        .filter(sla_state="breached")
        .values_list("pk", flat=True)
    )
    assert breached == {pk for pk, state in expected.items() if state == "breached"}
    ranks = list(
        with_sla_state(Case.objects.all(), NOW)
        .order_by("sla_rank", "pk")
        .values_list("sla_state", flat=True)
    )
    assert ranks == sorted(ranks, key=STATE_RANK.__getitem__)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    combo=st.tuples(
        st.sampled_from(STATUSES),
        st.sampled_from(list(CLOCKS)),
        st.booleans(),
        st.sampled_from(MET),
        st.sampled_from(list(CLOCKS)),
        st.sampled_from(MET),
        st.sampled_from(list(CLOCKS)),
        st.booleans(),
        st.sampled_from(MET),
    ),
    shift=st.integers(min_value=-20, max_value=20),
)
def test_python_and_sql_agree_at_any_instant(db, combo, shift):
    Case.objects.all().delete()
    (case,) = make_cases([fields(*combo)])
    now = NOW + shift * MINUTE
    sql = with_sla_state(Case.objects.filter(pk=case.pk), now).values_list("sla_state", flat=True)
    assert sql.get() == sla.sla_state(case, now)
