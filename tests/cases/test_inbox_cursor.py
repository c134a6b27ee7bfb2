"""The inbox's keyset cursor: a NOT NULL sort key (no deadline sorts last) and a
plain bound on the first key, so each page is an index range (migration 0021)."""

from datetime import timedelta

from django.utils import timezone

from cases.models import Case
from cases.selectors_ui import NO_DEADLINE, SORTS, InboxQuery, inbox_page, keyset_after
from tests.cases.api.conftest import open_case


def test_pages_cover_every_case_once_in_due_order_with_no_deadline_last(supervisor):
    now = timezone.now()
    cases = [open_case(str(9600 + i), author_id=str(600 + i)) for i in range(7)]
    # Two share a due instant (the id breaks the tie), two have no running clock.
    same = now + timedelta(hours=1)
    Case.objects.filter(pk__in=[cases[0].pk, cases[1].pk]).update(
        first_response_due=same, first_responded_at=None
    )
    Case.objects.filter(pk__in=[cases[2].pk, cases[3].pk]).update(
        first_response_due=None, next_response_due=None, resolution_due=None
    )
    seen, after = [], ""
    for _ in range(10):
        page = inbox_page(supervisor, InboxQuery(after=after, limit=2), now=now, is_supervisor=True)
        seen += [(row.due_key, row.pk) for row in page.rows]
        if not page.has_more:
            break
        after = page.next_cursor
    assert [pk for _key, pk in seen] == [pk for _key, pk in sorted(seen)]
    assert sorted(pk for _key, pk in seen) == sorted(c.pk for c in cases)
    assert [pk for key, pk in seen[-2:] if key == NO_DEADLINE] == sorted([cases[2].pk, cases[3].pk])


def test_cursor_condition_bounds_the_first_key_for_an_index_range():
    when = timezone.now()
    condition = keyset_after(SORTS["due"], [when, 10])
    assert ("due_key__gte", when) in condition.children
    newest = keyset_after(SORTS["newest"], [when, 10])
    assert ("created_at__lte", when) in newest.children
