"""The set-wise writes of helpdesk/db.py write what the ORM would, on both databases."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from psycopg.pq import Format

from cases.models import Case, CaseEvent, Customer, Message, Queue
from helpdesk.db import built, rows_insert, rows_update
from social_ingest.models import InboundEvent

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TRICKY = 'quote " backslash \\ comma , brace { } عربي\nnew line'


def _event(external_id: str, **extra) -> InboundEvent:
    values = {
        "external_id": external_id,
        "source": "replay",
        "payload": {"id": external_id, "text": TRICKY, "n": [1, None, 2.5]},
        "received_at": NOW,
        "state": "processed",
    }
    return InboundEvent(**values | extra)


def _case(reference: str) -> Case:
    queue = Queue.objects.get(slug="general")
    return Case(reference=reference, queue=queue, created_at=NOW, opened_at=NOW, updated_at=NOW)


def _columns(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_rows_insert_writes_every_column_and_sets_pks_in_order(db):
    objs = [_event(str(n), reason=TRICKY if n % 2 else "", error="") for n in range(5)]
    inserted = rows_insert(InboundEvent, objs)
    assert inserted == objs
    assert all(obj.pk is not None and not obj._state.adding for obj in objs)
    assert [o.pk for o in objs] == sorted(o.pk for o in objs)
    for obj in objs:
        assert _columns(InboundEvent.objects.get(pk=obj.pk)) == _columns(obj)


def test_rows_insert_skips_taken_keys_and_returns_only_the_rows_it_wrote(db):
    rows_insert(InboundEvent, [_event("2")])
    objs = [_event("1"), _event("2"), _event("3")]
    inserted = rows_insert(InboundEvent, objs, unique_fields=("platform", "external_id"))
    assert [o.external_id for o in inserted] == ["1", "3"]
    assert objs[1].pk is None
    assert InboundEvent.objects.count() == 3
    assert InboundEvent.objects.get(pk=objs[2].pk).external_id == "3"


def test_rows_insert_takes_the_id_of_a_related_object_saved_after_it_was_built(db):
    case = _case("C-2026-999999")
    event = CaseEvent(case=case, kind="created", data={"source": "poll"}, created_at=NOW)
    rows_insert(Case, [case])
    rows_insert(CaseEvent, [event])
    assert CaseEvent.objects.get(pk=event.pk).case_id == case.pk


def test_rows_update_writes_each_rows_values_and_increments(db):
    a, b, c = (_case(f"C-2026-90000{n}") for n in range(3))
    rows_insert(Case, [a, b, c])
    a.updated_at, a.tags = NOW + timedelta(hours=1), ["x", TRICKY]
    b.updated_at, b.tags = NOW + timedelta(hours=2), []
    stale = Case(pk=a.pk, updated_at=NOW - timedelta(days=9), tags=["stale"])
    updated = rows_update(Case, [a, b, stale], ["updated_at", "tags"], increment=["version"])
    assert updated == 2
    rows = {r.pk: r for r in Case.objects.all()}
    assert (rows[a.pk].updated_at, rows[a.pk].tags, rows[a.pk].version) == (
        NOW + timedelta(hours=1),
        ["x", TRICKY],
        a.version + 1,
    )
    assert (rows[b.pk].updated_at, rows[b.pk].tags, rows[b.pk].version) == (
        NOW + timedelta(hours=2),
        [],
        b.version + 1,
    )
    assert (rows[c.pk].updated_at, rows[c.pk].version) == (NOW, c.version)


def test_rows_insert_writes_foreign_keys_and_booleans_as_given(db):
    from cases.models import Customer, Message

    customer = Customer.objects.create(platform="x", external_id="42", handle="c42")
    case = _case("C-2026-999998")
    rows_insert(Case, [case])
    objs = [
        Message(
            case_id=case.pk,
            customer_id=customer.pk if n % 2 else None,
            direction=Message.Direction.INBOUND,
            channel="x",
            text=TRICKY,
            platform_id=str(n),
            edit_root_id=str(n),
            withheld=bool(n % 3 == 0),
            created_at=NOW,
            received_at=NOW,
        )
        for n in range(6)
    ]
    rows_insert(Message, objs)
    for obj in objs:
        assert _columns(Message.objects.get(pk=obj.pk)) == _columns(obj)


def test_timestamps_are_read_by_psycopgs_c_loader_with_the_same_values(db):
    """helpdesk/db.py swaps Django's pure-Python timestamptz loader for psycopg's C
    one when the session is in UTC: same values, same tzinfo, any offset written."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL loader")
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, Format.TEXT)  # timestamptz
    assert loader.__name__ == "UtcLoader" and loader.timezone is UTC
    written = [
        "2026-03-29 01:30:00+03",
        "1999-12-31 23:59:59.999999-09:30",
        "2026-11-26 12:00:00.5+05:45",
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT x::timestamptz FROM unnest(%s::text[]) AS x", [written])
        read = [row[0] for row in cursor.fetchall()]
    assert [value.tzinfo for value in read] == [UTC] * 3
    assert read == [
        datetime(2026, 3, 28, 22, 30, tzinfo=UTC),
        datetime(2000, 1, 1, 9, 29, 59, 999999, tzinfo=UTC),
        datetime(2026, 11, 26, 6, 15, 0, 500000, tzinfo=UTC),
    ]
    queue = Queue.objects.get(slug="general")
    case = Case.objects.create(
        reference="C-2026-990001", queue=queue, created_at=NOW, opened_at=NOW, updated_at=NOW
    )
    assert Case.objects.values_list("created_at", flat=True).get(pk=case.pk) == NOW


def test_the_collector_is_paused_inside_the_block_and_back_after_it():
    import gc

    from helpdesk.memory import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the outer block turns it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a failing page")
    assert gc.isenabled()


def _instance(obj) -> tuple:
    """Everything an instance holds: its attributes, its related-object cache, its state."""
    data = {k: v for k, v in vars(obj).items() if k != "_state"}
    return data, dict(obj._state.fields_cache), obj._state.adding, obj._state.db


@pytest.mark.parametrize(
    "model, values",
    [
        (Case, {"reference": "C-1", "created_at": NOW, "priority_reasons": ["keyword:x"]}),
        (Case, {"queue": "general", "customer": None, "account": None, "tags": ["a"]}),
        (CaseEvent, {"case": "saved", "kind": "created", "data": {"a": 1}, "created_at": NOW}),
        (CaseEvent, {"case": "unsaved", "actor": None, "kind": "note", "data": {}}),
        (Message, {"case": "unsaved", "customer": None, "text": TRICKY, "platform_id": "9"}),
        (InboundEvent, {"external_id": "1", "payload": {"id": "1"}, "account": None}),
        (Customer, {"platform": "x", "external_id": "7", "handle": "a", "first_seen_at": NOW}),
        (Case, {"queue_id": 1, "sla_policy_id": None}),
    ],
)
def test_built_makes_the_instance_the_constructor_makes(db, model, values):
    related = {
        "general": lambda: Queue.objects.get(slug="general"),
        "saved": lambda: Case.objects.create(
            reference="C-0", queue=Queue.objects.get(slug="general"), created_at=NOW
        ),
        "unsaved": lambda: Case(reference="C-2"),
    }
    values = {
        k: related[v]() if isinstance(v, str) and v in related else v for k, v in values.items()
    }
    with time_machine.travel(NOW, tick=False):  # defaults of timezone.now agree
        fast, slow = built(model, **values), model(**values)
    assert type(fast) is model
    assert _instance(fast) == _instance(slow)
    # Defaults made per instance are not shared between instances.
    for name, value in vars(built(model, **values)).items():
        if isinstance(value, list | dict) and name not in values:
            assert value is not vars(fast)[name]


def test_built_leaves_wrong_values_to_the_constructor(db):
    with pytest.raises(ValueError):
        built(CaseEvent, case=Queue.objects.get(slug="general"))
    with pytest.raises(TypeError, match="unexpected keyword"):
        built(CaseEvent, no_such_field=1)


def test_json_columns_go_as_one_document_and_come_back_as_the_orm_writes_them(db):
    shapes = [
        {"text": TRICKY, "nested": {"a": [1, 2.5, None, True]}, "big": 2**70},
        [TRICKY, {}, []],
        "a JSON string \\u0000 is text, not an escape",
        0,
        -1.5,
        False,
        {"emoji": "🙂", "rtl": "\u202bنص\u202c", "quote": '"'},
    ]
    fast = [_event(f"fast-{n}", payload=shape) for n, shape in enumerate(shapes)]
    rows_insert(InboundEvent, fast)
    slow = [_event(f"orm-{n}", payload=shape) for n, shape in enumerate(shapes)]
    for obj in slow:
        obj.save()
    read = dict(InboundEvent.objects.values_list("external_id", "payload"))
    assert [read[f"fast-{n}"] for n in range(len(shapes))] == shapes  # in order
    assert [read[f"fast-{n}"] for n in range(len(shapes))] == [read[o.external_id] for o in slow]
    # The update writes them the same way.
    for obj, shape in zip(fast, reversed(shapes), strict=True):
        obj.payload = shape
    rows_update(InboundEvent, fast, ["payload"])
    read = dict(InboundEvent.objects.values_list("external_id", "payload"))
    assert [read[f"fast-{n}"] for n in range(len(shapes))] == list(reversed(shapes))
