"""Routing through the database: seed rules from the data migration, rule
actions at intake, automatic assignment and incidents."""

import json
from pathlib import Path

from django.contrib.auth.models import Group

from cases.models import Case, CaseEvent, Queue, RoutingRule, User
from cases.routing import RuleSpec
from cases.seed_rules import SEED_RULES
from social_ingest.models import InboundEvent
from social_ingest.parsers import parse_document
from social_ingest.services import pages_ingest
from tests.factories import page, tweet, user

LABELLED = Path(__file__).parent / "data" / "triage_labelled.jsonl"


def ingest(*tweets, users=None):
    return pages_ingest(parse_document(page(*tweets, users=users)), account=None, source="replay")


def test_the_data_migration_stores_the_seed_rules_unchanged(db):
    stored = {rule.name: rule.to_spec() for rule in RoutingRule.objects.select_related("queue")}
    for fields in SEED_RULES:
        expected = RuleSpec(**fields)
        got = stored[fields["name"]]
        assert (
            got.keywords,
            got.exclude,
            got.queue,
            got.category,
            got.priority_floor,
            got.stop,
        ) == (
            expected.keywords,
            expected.exclude,
            expected.queue,
            expected.category,
            expected.priority_floor,
            expected.stop,
        )


def test_labelled_emergencies_become_p1_cases_in_the_urgent_queue(db):
    items = [
        json.loads(line)
        for line in LABELLED.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    emergencies = [i for i in items if i["category"] == "emergency"][:25]
    tweets = [
        tweet(str(50_000 + n), i["text"], author_id=str(90_000 + n), lang=i["lang"])
        for n, i in enumerate(emergencies)
    ]
    ingest(*tweets)
    cases = Case.objects.all()
    assert cases.count() == len(emergencies)
    assert set(cases.values_list("priority", "queue__slug", "category")) == {
        ("P1", "urgent", "emergency")
    }
    assert all(c.routed_by.startswith("Emergency") for c in cases)
    created = CaseEvent.objects.filter(kind="created").first()
    assert created.data["rule"].startswith("Emergency") and created.data["priority"] == "P1"


def test_false_alarm_headline_is_not_an_emergency(db):
    ingest(tweet("60001", "عاجل: @SadaMinistry تعلن تمديد فترة التسجيل حتى نهاية الشهر"))
    assert Case.objects.get().priority != "P1"


def test_rule_marking_no_action_needed_opens_no_case_and_keeps_the_reason(db):
    RoutingRule.objects.create(name="Giveaways", order=1, keywords="giveaway", not_a_case=True)
    summary = ingest(tweet("60101", "@SadaMinistry giveaway!!! click here"))
    assert summary["not_a_case"] == 1 and not Case.objects.exists()
    assert InboundEvent.objects.get().reason == "rule:Giveaways"


def test_rule_can_assign_a_member_of_the_queue(db, agent):
    RoutingRule.objects.create(
        name="Amal takes passports",
        order=1,
        keywords="passport",
        assignee=agent,
        queue=Queue.objects.get(slug="general"),
        stop=True,
    )
    ingest(tweet("60201", "@SadaMinistry passport renewal question", lang="en"))
    case = Case.objects.get()
    assert case.assignee == agent and case.status == "open"
    assert case.events.get(kind="assigned").data["how"] == "rule"


def _members(slug, n):
    queue = Queue.objects.get(slug=slug)
    people = []
    for i in range(n):
        person = User.objects.create_user(f"{slug}_{i}")
        person.groups.add(Group.objects.get(name="Agents"))
        queue.members.add(person)
        people.append(person)
    return queue, people


def test_round_robin_assignment_skips_the_unavailable(db):
    queue, (a, b, c) = _members("general", 3)
    queue.assignment_mode = "round_robin"
    queue.save()
    b.is_available = False
    b.save()
    ingest(
        *[
            tweet(str(60300 + i), "@SadaMinistry متى يفتح الفرع؟", author_id=str(70 + i))
            for i in range(4)
        ]
    )
    owners = list(Case.objects.order_by("id").values_list("assignee__username", flat=True))
    assert owners == [a.username, c.username, a.username, c.username]


def test_least_loaded_assignment_respects_capacity(db):
    queue, (a, b) = _members("general", 2)
    queue.assignment_mode = "least_loaded"
    queue.save()
    a.capacity = 1
    a.save()
    ingest(
        *[
            tweet(str(60400 + i), "@SadaMinistry كيف اجدد الرخصة؟", author_id=str(80 + i))
            for i in range(3)
        ]
    )
    owners = list(Case.objects.order_by("id").values_list("assignee__username", flat=True))
    assert owners.count(a.username) == 1 and owners.count(b.username) == 2


def test_many_customers_reporting_one_fire_are_linked_under_one_incident(db):
    texts = [
        "@SadaMinistry حريق كبير في مبنى الخدمات بحي النسيم",
        "@SadaMinistry فيه حريق في المبنى الحين والدخان كثيف",
        "@SadaMinistry there is a fire at your building in Al Naseem",
        "@SadaMinistry حريق! الناس طالعين من المبنى",
    ]
    ingest(
        *[tweet(str(60500 + i), t, author_id=str(300 + i), minutes=i) for i, t in enumerate(texts)]
    )
    linked = Case.objects.filter(incident__isnull=False)
    assert linked.count() >= 3
    assert len(set(linked.values_list("incident", flat=True))) == 1
    assert Case.objects.count() == 4  # each customer keeps their own case
    assert CaseEvent.objects.filter(kind="incident_linked").count() == linked.count()


def test_repeat_contact_tags_the_case(db):
    for i in range(4):
        ingest(
            tweet(str(60600 + i), f"@SadaMinistry طلبي رقم {i} متأخر", minutes=i),
            users=[user("500", "same_person")],
        )
    last = Case.objects.order_by("-id").first()
    assert "repeat_contact" in last.tags


def test_a_supervisor_answers_an_incident_once_and_each_customer_gets_a_reply(db, supervisor):
    from cases import services
    from cases.models import Incident

    texts = [
        "@SadaMinistry حريق كبير في مبنى الخدمات بحي النسيم",
        "@SadaMinistry فيه حريق في المبنى الحين والدخان كثيف",
        "@SadaMinistry حريق! الناس طالعين من المبنى",
    ]
    ingest(
        *[tweet(str(61500 + i), t, author_id=str(400 + i), minutes=i) for i, t in enumerate(texts)]
    )
    incident = Incident.objects.get()
    Case.objects.filter(incident=incident).order_by("id").first().messages.update(platform_id="")
    sent, refused = services.incident_reply(
        incident=incident,
        author=supervisor,
        text="الدفاع المدني في الموقع، نرجو الابتعاد عن المبنى",
    )
    assert len(sent) == 2 and len(refused) == 1
    assert len({m.text for m in sent}) == 2  # X refuses identical text: each carries its reference
    assert all(m.case.reference in m.text and m.delivery == "queued" for m in sent)
