"""Cursor pagination, query counts and incremental sync of the case list."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, Customer, Queue
from social_ingest.models import SocialAccount
from tests.cases.api.conftest import key_client, make_key, open_case

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def bulk_cases(n: int, *, start: int = 0, assignee=None, queue="general", **fields) -> list[Case]:
    """Rows straight into the table: this file tests reading, not intake."""
    account, _ = SocialAccount.objects.get_or_create(handle="SadaMinistry")
    queue = Queue.objects.get(slug=queue)
    cases = []
    for i in range(start, start + n):
        customer = Customer.objects.create(
            platform="x", external_id=f"c{i}", handle=f"citizen{i}", followers=i
        )
        cases.append(
            Case(
                reference=f"C-2026-{900000 + i:06d}",
                queue=queue,
                customer=customer,
                account=account,
                assignee=assignee,
                priority=("P1", "P2", "P3", "P4")[i % 4]
                if "priority" not in fields
                else fields["priority"],
                created_at=T0 + timedelta(minutes=i // 2),  # pairs share a created_at
                updated_at=T0 + timedelta(minutes=i // 3),
                first_response_due=None if i % 5 == 0 else T0 + timedelta(hours=(i * 7) % 11),
                tags=["t"],
                **{k: v for k, v in fields.items() if k != "priority"},
            )
        )
    return Case.objects.bulk_create(cases)


def walk(client, url: str) -> list[list[str]]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        body = response.json()
        pages.append([row["reference"] for row in body["results"]])
        url = body["next"]
    return pages


ORDERINGS = ["created", "-created", "updated", "-updated", "due", "-due", "priority", "-priority"]


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_small_pages_give_the_same_rows_as_one_big_page(supervisor_api, ordering):
    bulk_cases(23)
    whole = walk(supervisor_api, f"/api/v1/cases/?ordering={ordering}&page_size=200")
    assert len(whole) == 1 and len(whole[0]) == 23
    pages = walk(supervisor_api, f"/api/v1/cases/?ordering={ordering}&page_size=4")
    assert [len(p) for p in pages] == [4, 4, 4, 4, 4, 3]
    assert sum(pages, []) == whole[0]


def test_due_ordering_puts_cases_without_a_due_time_last(supervisor_api):
    bulk_cases(10)
    rows = supervisor_api.get("/api/v1/cases/?ordering=due").json()["results"]
    dues = [row["first_response_due"] for row in rows]
    assert dues[-2:] == [None, None] and None not in dues[:-2]
    assert dues[:-2] == sorted(dues[:-2])


@pytest.mark.parametrize("ordering", ["-created", "due", "-priority"])
def test_previous_links_walk_back_the_same_pages(supervisor_api, ordering):
    bulk_cases(17)
    forward = []
    url = f"/api/v1/cases/?ordering={ordering}&page_size=5"
    bodies = []
    while url:
        body = supervisor_api.get(url).json()
        bodies.append(body)
        forward.append([r["reference"] for r in body["results"]])
        url = body["next"]
    backward = []
    url = bodies[-1]["previous"]
    while url:
        body = supervisor_api.get(url).json()
        backward.append([r["reference"] for r in body["results"]])
        url = body["previous"]
    assert backward == list(reversed(forward[:-1]))


def test_pages_are_stable_while_cases_are_inserted(supervisor_api):
    original = {c.reference for c in bulk_cases(25)}
    seen = []
    body = supervisor_api.get("/api/v1/cases/?page_size=10").json()  # newest first
    seen += [r["reference"] for r in body["results"]]
    # Newer cases arrive while the client pages: they are before its cursor.
    bulk_cases(5, start=100)
    while body["next"]:
        body = supervisor_api.get(body["next"]).json()
        seen += [r["reference"] for r in body["results"]]
        bulk_cases(1, start=200 + len(seen))
    assert len(seen) == len(set(seen)), "a row was served twice"
    assert set(seen) == original, "a row was skipped or a new one shifted the pages"


def test_a_cursor_of_another_ordering_is_refused(supervisor_api):
    bulk_cases(5)
    body = supervisor_api.get("/api/v1/cases/?page_size=2&ordering=due").json()
    cursor = body["next"].split("cursor=")[1].split("&")[0]
    response = supervisor_api.get(f"/api/v1/cases/?cursor={cursor}&ordering=created")
    assert response.status_code == 404 and response.json()["code"] == "invalid_cursor"


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["supervisor", "agent", "key", "queue_key"])
@pytest.mark.parametrize(
    "query", ["", "ordering=due&", "status=new&sla_state=ok,breached&", "tag=t&search=@citizen1&"]
)
def test_queries_per_list_do_not_grow_with_the_page_size(
    persona, query, supervisor_api, agent_api, agent, django_assert_num_queries
):
    bulk_cases(120, assignee=agent)
    if persona in ("key", "queue_key"):
        _k, raw = make_key(queue="general" if persona == "queue_key" else "")
        client = key_client(raw)
        client.get("/api/v1/me/")  # the first use stamps last_used_at
    else:
        client = supervisor_api if persona == "supervisor" else agent_api
    url = "/api/v1/cases/?" + query + "page_size={}"
    small = _count(client, url.format(10))
    assert small <= 5
    with django_assert_num_queries(small):
        response = client.get(url.format(100))
    matching = len(client.get(url.format(200)).json()["results"])
    assert (matching > 10 or "search" in query) and len(response.json()["results"]) == min(
        100, matching
    )


def test_detail_queries_do_not_grow_with_messages(supervisor_api, agent, django_assert_num_queries):
    from cases import services

    case = open_case("9001")
    services.case_add_note(case=case, author=agent, text="one")
    few = _count(supervisor_api, f"/api/v1/cases/{case.reference}/")
    for i in range(20):
        services.case_add_note(case=case, author=agent, text=f"note {i}")
    with django_assert_num_queries(few):
        supervisor_api.get(f"/api/v1/cases/{case.reference}/")
    for path in ("messages/", "events/"):
        n = _count(supervisor_api, f"/api/v1/cases/{case.reference}/{path}?page_size=5")
        with django_assert_num_queries(n):
            supervisor_api.get(f"/api/v1/cases/{case.reference}/{path}?page_size=100")


def test_updated_since_returns_changes_oldest_first_without_missing_ties(supervisor_api, agent):
    from cases import services

    cases = bulk_cases(6)
    mark = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    since = mark.isoformat().replace("+00:00", "Z")
    # Three changes at the very same instant, one later.
    Case.objects.filter(pk__in=[cases[1].pk, cases[3].pk, cases[4].pk]).update(updated_at=mark)
    later = services.case_assign(case=Case.objects.get(pk=cases[5].pk), assignee=agent, actor=agent)
    pages = walk(supervisor_api, f"/api/v1/cases/?updated_since={since}&page_size=1")
    refs = sum(pages, [])
    assert refs == [cases[1].reference, cases[3].reference, cases[4].reference, later.reference]
    rows = supervisor_api.get(
        f"/api/v1/cases/?updated_since={later.updated_at.isoformat().replace('+00:00', 'Z')}"
    ).json()["results"]
    assert [r["reference"] for r in rows] == [later.reference]
    # The documented overlap: asking again from the newest seen minus 60 s repeats
    # rows the client dedupes by (reference, version), and misses none.
    overlap = (mark - timedelta(seconds=60)).isoformat().replace("+00:00", "Z")
    again = supervisor_api.get(f"/api/v1/cases/?updated_since={overlap}").json()
    assert {r["reference"] for r in again["results"]} >= set(refs)
