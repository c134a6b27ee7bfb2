from datetime import timedelta

from django.utils import timezone

from cases.models import Case, Message
from social_ingest.parsers import parse_document
from social_ingest.services import pages_ingest
from tests.factories import page, tweet, user


def ingest(*tweets, users=None):
    return pages_ingest(parse_document(page(*tweets, users=users)), account=None, source="replay")


def test_new_mention_opens_a_case_with_reference_message_and_events(db):
    ingest(
        tweet("1001", "@SadaMinistry متى يفتح المكتب؟"), users=[user("500", "saad", followers=1234)]
    )
    case = Case.objects.get()
    assert case.reference.startswith("C-") and len(case.reference.split("-")[-1]) == 6
    assert (
        case.status == "new" and case.customer.handle == "saad" and case.customer.followers == 1234
    )
    assert case.messages.get().text == "@SadaMinistry متى يفتح المكتب؟"
    assert list(case.events.values_list("kind", flat=True)) == ["created", "message_received"]
    assert case.created_at.isoformat() == "2026-11-22T09:00:00+00:00"  # when the citizen wrote


def test_reply_thread_of_three_tweets_is_one_case(db):
    ingest(tweet("1101", "@SadaMinistry first"))
    ingest(tweet("1102", "second", conversation_id="1101", replied_to="1101", minutes=1))
    summary = ingest(tweet("1103", "third", conversation_id="1101", replied_to="1102", minutes=2))
    assert summary["appended"] == 1
    case = Case.objects.get()
    assert list(case.messages.values_list("platform_id", flat=True)) == ["1101", "1102", "1103"]


def test_another_customer_in_the_same_conversation_gets_their_own_case(db):
    ingest(tweet("1201", "@SadaMinistry first"))
    ingest(tweet("1202", "me too", author_id="777", conversation_id="1201", replied_to="1201"))
    assert Case.objects.count() == 2


def test_edit_joins_the_case_of_its_original(db):
    ingest(tweet("1301", "@SadaMinistry typo"))
    summary = ingest(tweet("1302", "@SadaMinistry fixed", edit_history=["1301", "1302"]))
    assert summary["appended"] == 1
    case = Case.objects.get()
    assert case.messages.count() == 2
    assert case.events.filter(kind="message_received", data__edit_of="1301").exists()


def test_reply_on_resolved_case_reopens_it(db):
    ingest(tweet("1401", "@SadaMinistry help"))
    case = Case.objects.get()
    Case.objects.filter(pk=case.pk).update(status="resolved", resolved_at=timezone.now())
    ingest(
        tweet(
            "1402",
            "still broken",
            conversation_id="1401",
            replied_to="1401",
            created_at=timezone.now(),
        )
    )
    case.refresh_from_db()
    assert case.status == "open" and case.resolved_at is None
    assert case.events.filter(kind="reopened").count() == 1


def test_reply_long_after_resolution_opens_a_new_case(db):
    ingest(tweet("1501", "@SadaMinistry help"))
    old = Case.objects.get()
    Case.objects.filter(pk=old.pk).update(
        status="resolved", resolved_at=timezone.now() - timedelta(days=30)
    )
    ingest(tweet("1502", "again", conversation_id="1501", replied_to="1501"))
    assert Case.objects.count() == 2
    old.refresh_from_db()
    assert old.status == "resolved"


def test_customer_reply_moves_pending_case_back_to_open(db):
    ingest(tweet("1601", "@SadaMinistry help"))
    Case.objects.update(status="pending")
    ingest(tweet("1602", "here is my id", conversation_id="1601", replied_to="1601"))
    case = Case.objects.get()
    assert case.status == "open"
    assert case.events.filter(kind="status_changed", data__cause="customer_replied").exists()


def test_mention_without_author_still_opens_a_case(db):
    doc = {
        "data": [{"id": "1701", "text": "@SadaMinistry hi", "edit_history_tweet_ids": ["1701"]}],
        "meta": {"result_count": 1},
    }
    pages_ingest(parse_document(doc), account=None, source="replay")
    case = Case.objects.get()
    assert case.customer is None and Message.objects.get().platform_id == "1701"


def test_reply_to_our_own_reply_joins_the_customers_case(db):
    ingest(tweet("1801", "@SadaMinistry help"))
    case = Case.objects.get()
    Message.objects.create(case=case, direction="out", text="@user1 on it", platform_id="1850")
    ingest(tweet("1802", "thanks, but?", conversation_id="1801", replied_to="1850"))
    assert Case.objects.count() == 1 and case.messages.count() == 3


def test_original_arriving_after_its_edit_joins_the_same_case(db):
    ingest(tweet("1902", "@SadaMinistry fixed", edit_history=["1901", "1902"]))
    ingest(tweet("1901", "@SadaMinistry typo"))
    assert Case.objects.count() == 1 and Message.objects.count() == 2


def test_a_page_served_newest_first_opens_the_case_at_the_first_post(db):
    summary = ingest(
        tweet("2003", "third", conversation_id="2001", replied_to="2002", minutes=2),
        tweet("2002", "second", conversation_id="2001", replied_to="2001", minutes=1),
        tweet("2001", "@SadaMinistry first"),
    )
    assert summary["new_cases"] == 1 and summary["appended"] == 2
    case = Case.objects.get()
    assert case.created_at.isoformat() == "2026-11-22T09:00:00+00:00"
