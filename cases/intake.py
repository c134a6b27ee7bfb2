"""Intake: mentions become case changes, a page at a time.

The live poller, `ingest_replay`, the X webhook and the inbound channels all
hand a page of mentions to `intake_many` (`intake` is a page of one). The page
is read and written set-wise — a number of queries that does not grow with its
size: one read of its customers, one of the threads its mentions may continue,
one bump of the reference counter, one insert per table — while the decisions
(thread or new case, routing, priority, SLA due times) are taken per mention,
oldest first, against what was read plus what the page itself did before: a
thread's first post opens the case its replies in the same page join.

`cases.services` re-exports `intake`, `intake_many` and `IntakeResult`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from helpdesk.db import built, rows_insert, rows_update
from helpdesk.logging import log_context

from . import events, sla_services, webhooks
from .cache import config_cache
from .exceptions import InvalidInput
from .mention import Mention
from .models import Case, CaseEvent, CaseReferenceCounter, Customer, Incident, Message, Queue
from .triage import TriageBatch, TriageDecision, triage

logger = logging.getLogger(__name__)

S = Case.Status
# Customer columns a mention refreshes.
CUSTOMER_FIELDS = ("handle", "name", "followers", "verified", "updated_at")


@dataclass(frozen=True)
class IntakeResult:
    outcome: str  # "new_case", "appended" or "not_a_case"
    case: Case | None = None
    message: Message | None = None
    reason: str = ""  # why it is not a case (machine code)


def not_a_case_reason(mention: Mention, *, account_external_id: str = "") -> str:
    """Why a mention needs no case, or "" when it does. Pure."""
    if mention.is_retweet:
        return "retweet"
    if account_external_id and mention.author and mention.author.external_id == account_external_id:
        return "own_post"
    return ""


def intake(
    mention: Mention, *, account=None, source: str = "poll", now: datetime | None = None
) -> IntakeResult:
    """One mention: a page of one (see `intake_many`)."""
    return intake_many([mention], account=account, source=source, now=now)[0]


@transaction.atomic
def intake_many(
    mentions: Sequence[Mention], *, account=None, source: str = "poll", now: datetime | None = None
) -> list[IntakeResult]:
    """Turn a page of mentions, oldest first, into case changes; one result each.

    - A retweet or the account's own post opens no case; the caller records why.
    - An edited post joins the case of its original, whatever that case's state.
    - A reply to a post of a case, or a post in the conversation of the same
      customer's case, joins that case: a pending case becomes open (the
      customer answered), a case resolved less than SADA_REOPEN_DAYS ago
      reopens; a closed or older case is left alone and a new case opens.
    - Otherwise a new case opens, routed and prioritised by the rules, with its
      SLA due times, automatic assignment and incident link.
    - Earlier mentions of the page count for later ones (threads, repeat
      contact, incidents), exactly as if they had come one page each.
    - Every change writes its CaseEvent in this transaction; one failure rolls
      the whole page back (the caller can then take its mentions one by one).
    """
    _intakes_one_at_a_time()
    page = _Page(account=account, source=source, now=now or timezone.now())
    # Lines logged while the page is taken in (here or in the services it calls) say
    # which account, and the code acting on one case says which case.
    with config_cache.held(), log_context(account=getattr(account, "handle", "")):
        try:
            return page.run(list(mentions))
        except Exception as exc:
            # For the caller's log line, written after this block: the case the failing
            # mention was joining. A case the page was opening rolls back with its
            # reference (which the next case takes), so it is not named.
            exc.intake_case_reference = page.existing_case_reference()
            raise


# The key of the transaction-level advisory lock held by the page being taken in.
INTAKE_LOCK = 0x5ADA_0001


def _intakes_one_at_a_time() -> None:
    """Wait until no other intake page is being taken in; hold on until this one commits.

    A page locks, in this order, the cases its mentions thread into, the incidents of
    its key phrases, the reference counter, then older cases joining an incident. Two
    pages at once (a poll and webhook deliveries, two accounts) can meet in the
    opposite order — page A linking an older case that page B locked as a thread —
    and deadlock: `bench/ingest.py` with two workers lost pages to that every few
    seconds (retaken one by one, a few mentions left rejected). The reference counter
    already made the pages' writes take turns; now their whole intake does. One
    stream takes ~2,600 mentions/s on 2 cores (bench), far above a ministry's worst
    hour. PostgreSQL only: SQLite takes one writer at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INTAKE_LOCK])


def intake_failure_case(exc: BaseException) -> str:
    """The reference of the existing case an intake failed on, or "" (see `intake_many`)."""
    return getattr(exc, "intake_case_reference", "")


class _Page:
    """One page's intake: decisions per mention in memory, then the writes, set-wise."""

    def __init__(self, *, account, source: str, now: datetime):
        self.account, self.source, self.now = account, source, now
        self.new_cases: list[Case] = []
        self.decisions: dict[int, TriageDecision] = {}  # id(case) -> its routing
        self.turns: dict[int, int] = {}  # id(case) -> index of the mention that opened it
        self.changed: dict[int, Case] = {}  # existing cases the page changed, by id
        self.changed_fields: set[str] = set()
        self.messages: list[Message] = []
        self.message_events: list[tuple[CaseEvent, Message]] = []  # message_id filled on insert
        self.opening_events: list[CaseEvent] = []  # before automatic assignment
        self.later_events: list[tuple[int, int, CaseEvent]] = []  # (turn, order, event)
        self.case: Case | None = None  # the case in hand (see `intake_many`)

    def existing_case_reference(self) -> str:
        case = self.case
        if case is None or case.pk is None or id(case) in self.turns:
            return ""
        return case.reference

    def run(self, mentions: list[Mention]) -> list[IntakeResult]:
        own_id = getattr(self.account, "external_id", "")
        results: list[IntakeResult | None] = [None] * len(mentions)
        live = []
        for turn, mention in enumerate(mentions):
            reason = not_a_case_reason(mention, account_external_id=own_id)
            if reason:
                results[turn] = IntakeResult("not_a_case", reason=reason)
            else:
                live.append(turn)
        if not live:
            return results
        customers = customers_upsert([mentions[turn] for turn in live], now=self.now)
        threads = _Threads([mentions[turn] for turn in live], customers)
        rules = TriageBatch(customers=customers.values(), now=self.now)
        for turn in live:
            mention = mentions[turn]
            customer = customers.get(_author_key(mention))
            case = threads.find(mention, customer)
            written = min(mention.created_at or self.now, self.now)
            if case is not None and _joins(case, mention, self.now):
                self.case = case
                with log_context(case=case.reference):
                    message = self._append(case, mention, customer, written, turn)
                results[turn] = IntakeResult("appended", case=case, message=message)
                threads.add(message, case, opened=False)
                continue
            self.case = None
            decision = triage(
                mention, customer=customer, account=self.account, now=self.now, batch=rules
            )
            if decision.not_a_case_reason:
                results[turn] = IntakeResult("not_a_case", reason=decision.not_a_case_reason)
                continue
            case, message = self._open(mention, customer, decision, written, turn)
            self.case = case
            rules.case_opened(customer, written)
            threads.add(message, case, opened=True)
            results[turn] = IntakeResult("new_case", case=case, message=message)
        final = self._write()
        return [
            IntakeResult(r.outcome, final.get(id(r.case), r.case), r.message, r.reason)
            if r.outcome == "new_case"
            else r
            for r in results
        ]

    # --- Decisions, in memory --------------------------------------------------------

    def _open(
        self,
        mention: Mention,
        customer: Customer | None,
        decision: TriageDecision,
        written: datetime,
        turn: int,
    ) -> tuple[Case, Message]:
        now = self.now
        case = built(
            Case,
            status=S.NEW,
            priority=decision.priority,
            priority_reasons=list(decision.priority_reasons),
            queue=decision.queue,
            category=decision.category,
            tags=list(decision.tags),
            customer=customer,
            account=self.account,
            channel=mention.platform,
            language=decision.language,
            conversation_id=mention.conversation_id or mention.external_id,
            routed_by=decision.routed_by,
            incident_key=decision.incident_key,
            created_at=written,
            opened_at=now,
            updated_at=now,
            last_customer_message_at=written,
        )
        sla_services.sla_start(case=case, now=now, save=False)
        self.new_cases.append(case)
        self.decisions[id(case)] = decision
        self.turns[id(case)] = turn
        self.opening_events.append(
            events.created(case, source=self.source, rule=decision.routed_by, at=now, save=False)
        )
        message = self._message(case, mention, customer, written)
        received = events.message_received(
            case, message_id=None, platform_id=message.platform_id, save=False
        )
        self.message_events.append((received, message))
        self.opening_events.append(received)
        return case, message

    def _append(
        self, case: Case, mention: Mention, customer: Customer | None, written: datetime, turn: int
    ) -> Message:
        message = self._message(case, mention, customer, written)
        fields, joined = customer_message_effects(
            case,
            written=written,
            platform_id=message.platform_id,
            edit_of=mention.edit_root_id if mention.is_edit else "",
            now=self.now,
        )
        self.message_events.append((joined[0], message))
        for event in joined:
            self._later(turn, event)
        if case.pk is not None:  # a case the page opened is inserted as it ends up
            self.changed[case.pk] = case
            self.changed_fields |= fields
        return message

    def _message(
        self, case: Case, mention: Mention, customer: Customer | None, written: datetime
    ) -> Message:
        message = built(
            Message,
            case=case,
            direction=Message.Direction.INBOUND,
            channel=mention.platform,
            customer=customer,
            text=mention.text,
            platform_id=mention.external_id,
            edit_root_id=mention.edit_root_id or mention.external_id,
            conversation_id=mention.conversation_id,
            in_reply_to_id=mention.in_reply_to_id,
            withheld=mention.withheld,
            created_at=written,
            received_at=self.now,
        )
        self.messages.append(message)
        return message

    def _later(self, turn: int, event: CaseEvent) -> None:
        self.later_events.append((turn, len(self.later_events), event))

    # --- Writes ---------------------------------------------------------------------

    def _write(self) -> dict[int, Case]:
        """Insert and update what the page decided; then assignment, which acts on
        rows. Returns the new cases as they end up, by id() of the in-memory case."""
        now = self.now
        self.case = None  # a failure from here on is the page's, not one case's
        # Incidents first: a new case is inserted with its incident, not updated
        # after (a second version of the row, in every index of the table).
        older_links = self._link_incidents()
        if self.new_cases:
            references = references_allocate(len(self.new_cases), now=now)
            for case, reference in zip(self.new_cases, references, strict=True):
                case.reference = reference
            rows_insert(Case, self.new_cases)
        rows_insert(Message, self.messages)
        for event, message in self.message_events:
            event.data["message_id"] = message.pk
        rows_insert(CaseEvent, self.opening_events)
        rows_update(Case, list(self.changed.values()), sorted(self.changed_fields))
        for case in self.new_cases:
            with log_context(case=case.reference):
                webhooks.emit("case.created", case, now=now)
        final = self._assign()
        rows_update(Case, older_links, ["incident", "updated_at"], increment=["version"])
        # An event's time is when it is written, in the order the mentions came.
        later = [event for _turn, _order, event in sorted(self.later_events)]
        for event in later:
            event.created_at = timezone.now()
        rows_insert(CaseEvent, later)
        return final

    def _assign(self) -> dict[int, Case]:
        """A rule's assignee, or the queue's automatic assignment, per new case in order."""
        # services imports this module (its intake re-exports): imported here.
        from .services import case_assign, case_auto_assign

        final = {}
        for case in self.new_cases:
            decision = self.decisions[id(case)]
            if decision.assignee is not None:
                with log_context(case=case.reference):
                    try:
                        final[id(case)] = case_assign(
                            case=case,
                            assignee=decision.assignee,
                            actor=None,
                            actor_kind="rule",
                            how="rule",
                            now=self.now,
                        )
                    except InvalidInput as exc:  # a rule naming someone outside the queue
                        logger.warning(
                            "rule %s cannot assign %s: %s", decision.routed_by, case.reference, exc
                        )
            elif case.queue.assignment_mode != Queue.AssignmentMode.MANUAL:
                with log_context(case=case.reference):
                    final[id(case)] = case_auto_assign(case=case, now=self.now)
        return final

    def _link_incidents(self) -> list[Case]:
        """Link new cases to the incident of their key phrase, opening one when
        SADA_INCIDENT_MIN_REPORTS different customers reported the same thing in
        the same queue within SADA_INCIDENT_WINDOW_MINUTES (of when they wrote).

        - An open incident of the key reported within the window takes the case.
        - Otherwise, enough recent unlinked reports open one and are all linked.
        - Each customer's case stays its own: every customer still gets an answer.
        - Decided case by case in order, on the reports read once for the page.
        - Runs before the page's new cases are inserted: they get their incident
          (and the version a link adds) in memory; the older cases linked are
          returned, for the caller to update once the page's rows are written.
        """
        cases = [case for case in self.new_cases if case.incident_key]
        if not cases:
            return []
        window = timedelta(minutes=settings.SADA_INCIDENT_WINDOW_MINUTES)
        earliest = min(case.created_at for case in cases) - window
        groups = {(case.queue_id, case.incident_key) for case in cases}
        # Read by queue IN and key IN (a superset of the pairs, kept to the pairs
        # below): one OR branch per pair costs the ORM more than the rows it saves.
        queues, keys = {q for q, _k in groups}, {k for _q, k in groups}
        incidents: dict[tuple, list[Incident]] = defaultdict(list)
        for incident in (
            Incident.objects.select_for_update()
            .filter(queue_id__in=queues, key__in=keys)
            .filter(is_open=True, last_report_at__gte=earliest)
            .order_by("pk")
        ):
            if (incident.queue_id, incident.key) in groups:
                incidents[(incident.queue_id, incident.key)].append(incident)
        # Unlinked reports, by group: the page's new cases, and older ones read as
        # plain rows (most are never linked: a Case is built for those that are).
        reports: dict[tuple, list[Case | _Report]] = defaultdict(list)
        for pk, queue_id, key, created_at, customer_id in (
            Case.objects.filter(queue_id__in=queues, incident_key__in=keys)
            .filter(created_at__gte=earliest, incident__isnull=True)
            .order_by("pk")
            .values_list("id", "queue_id", "incident_key", "created_at", "customer_id")
        ):
            if (queue_id, key) in groups:  # the page's own cases are not written yet
                reports[(queue_id, key)].append(_Report(pk, created_at, customer_id))
        opened: list[Incident] = []  # inserted together after the loop
        reported: dict[int, Incident] = {}  # id() -> an incident whose last report moved
        links: list[tuple[Case, Incident, CaseEvent]] = []
        for case in cases:
            group = (case.queue_id, case.incident_key)
            reports[group].append(case)
            since = case.created_at - window
            current = [i for i in incidents[group] if i.last_report_at >= since]
            if current:
                incident = max(current, key=lambda i: i.last_report_at)
                if case.created_at > incident.last_report_at:
                    incident.last_report_at = case.created_at
                    reported[id(incident)] = incident
                linked = [case]
            else:
                recent = [r for r in reports[group] if r.created_at >= since]
                if len({r.customer_id for r in recent}) < settings.SADA_INCIDENT_MIN_REPORTS:
                    continue
                incident = Incident(
                    key=case.incident_key,
                    queue_id=case.queue_id,
                    opened_at=self.now,
                    last_report_at=case.created_at,
                )
                opened.append(incident)
                incidents[group].append(incident)
                linked = recent
            turn = self.turns[id(case)]
            for report in linked:
                reports[group].remove(report)
                each = report if isinstance(report, Case) else Case(id=report.pk)
                event = events.record(
                    each,
                    "incident_linked",
                    actor_kind="rule",
                    save=False,
                    incident_id=None,  # filled in once the incident has its id
                    key=incident.key,
                )
                self._later(turn, event)
                links.append((each, incident, event))
        new = {id(incident) for incident in opened}
        rows_insert(Incident, opened)
        rows_update(
            Incident, [i for key, i in reported.items() if key not in new], ["last_report_at"]
        )
        older = []
        for each, incident, event in links:
            each.incident_id = event.data["incident_id"] = incident.pk
            each.updated_at = self.now
            if each.pk is None:  # the page's own: inserted as linked
                each.version += 1
            else:
                older.append(each)
        return older


@dataclass(slots=True)
class _Report:
    """An older case that may join an incident: what the decision reads of it."""

    pk: int
    created_at: datetime
    customer_id: int | None


def _any(conditions) -> Q:
    found = Q(pk__in=[])
    for condition in conditions:
        found |= condition
    return found


def _author_key(mention: Mention) -> tuple[str, str] | None:
    return (mention.platform, mention.author.external_id) if mention.author else None


def case_accepts_customer_message(case: Case, *, now: datetime) -> bool:
    """Whether a customer's new post joins this case: an open case, or one resolved
    less than SADA_REOPEN_DAYS ago (it reopens). A closed or older case takes none."""
    if case.is_open:
        return True
    if case.status == S.RESOLVED and case.resolved_at:
        return case.resolved_at >= now - timedelta(days=settings.SADA_REOPEN_DAYS)
    return False


def _joins(case: Case, mention: Mention, now: datetime) -> bool:
    # An edit joins its original's case, whatever that case's state.
    return mention.is_edit or case_accepts_customer_message(case, now=now)


def customer_message_effects(
    case: Case, *, written: datetime, platform_id: str, now: datetime, edit_of: str = ""
) -> tuple[set[str], list[CaseEvent]]:
    """What a customer's message (written at `written`) joining `case` changes: the
    one home of that rule, for intake's pages and `case_customer_message`.

    - Sets the case's fields in memory; returns their names and the events, unsaved:
      `message_received` first (its message_id still to fill in), then `reopened`
      (a resolved case) or `status_changed` (a pending case).
    - A pending or resolved case becomes open; the SLA clocks react through
      `sla_customer_message`.
    - An edit (`edit_of`: the original post) moves neither the status nor the clocks.
    - Writes nothing (the policy and calendar come from the configuration cache).
    """
    is_edit = bool(edit_of)
    old_status = case.status
    case.updated_at = now
    case.version += 1
    fields = {"updated_at", "version"}
    if not is_edit:
        case.last_customer_message_at = written
        fields.add("last_customer_message_at")
        if case.status in (S.PENDING, S.RESOLVED):
            case.status, case.resolved_at = S.OPEN, None
            fields |= {"status", "resolved_at"}
    written_events = [
        events.message_received(
            case, message_id=None, platform_id=platform_id, edit_of=edit_of, save=False
        )
    ]
    if case.status != old_status:
        if old_status == S.RESOLVED:
            written_events.append(events.reopened(case, previous_status=old_status, save=False))
        else:
            written_events.append(
                events.status_changed(
                    case, old=old_status, new=S.OPEN, cause="customer_replied", save=False
                )
            )
    fields |= sla_services.sla_customer_message(
        case=case,
        written=written,
        previous_status=old_status,
        is_edit=is_edit,
        now=now,
        save=False,
    ).keys()
    return fields, written_events


@transaction.atomic
def case_customer_message(*, case: Case, text: str, channel: str, now: datetime) -> Message:
    """A customer's message, written now on `channel`, joins `case` (locked by the
    caller: read with select_for_update), by the rules of `customer_message_effects`.

    - The message has no platform id: replies still answer the customer's last post.
    - The case row and the events are written in this transaction.
    """
    message = Message.objects.create(
        case=case,
        direction=Message.Direction.INBOUND,
        channel=channel,
        customer=case.customer,
        text=text,
        created_at=now,
        received_at=now,
    )
    fields, written_events = customer_message_effects(case, written=now, platform_id="", now=now)
    written_events[0].data["message_id"] = message.pk
    rows_update(Case, [case], sorted(fields))
    for event in written_events:
        event.created_at = timezone.now()  # as intake: when it is written
    CaseEvent.objects.bulk_create(written_events)
    return message


class _Threads:
    """Where each mention of a page may belong: the messages and cases that match
    any of the page's mentions, read once (and the cases among them locked, in id
    order), plus what the page itself opened and appended so far."""

    def __init__(self, mentions: list[Mention], customers: dict):
        roots, replies, conversations = defaultdict(set), defaultdict(set), set()
        for mention in mentions:
            roots[mention.platform].add(mention.edit_root_id or mention.external_id)
            customer = customers.get(_author_key(mention))
            if customer is not None and mention.in_reply_to_id:
                replies[mention.platform].add(mention.in_reply_to_id)
            if customer is not None and mention.conversation_id:
                conversations.add((customer.pk, mention.conversation_id))
        # Sort keys: rows read sort before the page's own (higher ids), as in the database.
        self.by_root: dict[tuple, list] = defaultdict(list)  # (channel, root) -> [(key, case)]
        self.by_post: dict[tuple, list] = defaultdict(list)  # (channel, id) -> [(key, case, cust)]
        self.by_conversation: dict[tuple, list] = defaultdict(list)  # (cust, conv) -> [(key, case)]
        # One read for both: the versions of the page's posts, and the posts they answer.
        for channel, root, post, case_id, customer_id, written, pk in Message.objects.filter(
            _any(Q(channel=p, edit_root_id__in=ids) for p, ids in roots.items())
            | _any(Q(channel=p, platform_id__in=ids) for p, ids in replies.items())
        ).values_list(
            "channel", "edit_root_id", "platform_id", "case_id", "case__customer_id",
            "created_at", "id",
        ):  # fmt: skip
            if root in roots[channel]:
                self.by_root[(channel, root)].append(((written, 0, pk), case_id))
            if post in replies[channel]:
                self.by_post[(channel, post)].append(((written, 0, pk), case_id, customer_id))
        if conversations:
            for customer_id, conversation, pk in Case.objects.filter(
                customer_id__in={c for c, _ in conversations},
                conversation_id__in={v for _, v in conversations},
            ).values_list("customer_id", "conversation_id", "id"):
                if (customer_id, conversation) in conversations:
                    self.by_conversation[(customer_id, conversation)].append(((0, pk), pk))
        ids = {case_id for rows in self.by_root.values() for _key, case_id in rows}
        ids |= {case_id for rows in self.by_post.values() for _key, case_id, _c in rows}
        ids |= {case_id for rows in self.by_conversation.values() for _key, case_id in rows}
        self.cases: dict[int, Case] = {}
        self._lock(ids)
        self._added = 0

    def _lock(self, ids: set[int]) -> None:
        """Lock and read the cases (in id order, so two pages cannot deadlock), and
        the cases they were merged into."""
        while ids:
            for case in Case.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
                self.cases[case.pk] = case
            ids = {
                c.merged_into_id
                for c in self.cases.values()
                if c.merged_into_id and c.merged_into_id not in self.cases
            }

    def find(self, mention: Mention, customer: Customer | None) -> Case | None:
        """The case this mention continues, or None."""
        # Another version of this very post (an edit, or the original arriving after
        # its edit) is already in a case: the first message of that post's versions.
        rows = self.by_root.get((mention.platform, mention.edit_root_id or mention.external_id))
        found = min(rows, key=lambda row: row[0])[1] if rows else None
        if found is None and mention.in_reply_to_id and customer is not None:
            rows = [
                (key, case)
                for key, case, customer_id in self.by_post.get(
                    (mention.platform, mention.in_reply_to_id), ()
                )
                if customer_id == customer.pk
            ]
            found = min(rows, key=lambda row: row[0])[1] if rows else None
        if found is None and mention.conversation_id and customer is not None:
            rows = self.by_conversation.get((customer.pk, mention.conversation_id))
            found = max(rows, key=lambda row: row[0])[1] if rows else None
        if found is None or isinstance(found, Case):
            return found
        case = self.cases[found]
        seen = {case.pk}
        while case.merged_into_id and case.merged_into_id not in seen:
            seen.add(case.merged_into_id)
            case = self.cases[case.merged_into_id]
        return case

    def add(self, message: Message, case: Case, *, opened: bool) -> None:
        """A message the page wrote into `case` (one it opened, when `opened`)."""
        self._added += 1
        key = (message.created_at, 1, self._added)
        self.by_root[(message.channel, message.edit_root_id)].append((key, case))
        self.by_post[(message.channel, message.platform_id)].append((key, case, case.customer_id))
        if opened and case.customer_id is not None:
            self.by_conversation[(case.customer_id, case.conversation_id)].append(
                ((1, self._added), case)
            )


def customers_upsert(mentions: Sequence[Mention], *, now: datetime) -> dict[tuple, Customer]:
    """The customer rows of the mentions' authors, by (platform, author id), created
    or refreshed with what the platform says now (a later mention wins).

    - One read; new rows in one INSERT ... ON CONFLICT DO UPDATE (a concurrent
      intake creating the same customer is waited for, then updated); changed
      rows in one UPDATE. Rows are written in key order, so pages cannot deadlock.
    """
    authors = [(mention.platform, mention.author) for mention in mentions if mention.author]
    if not authors:
        return {}
    ids = defaultdict(set)
    for platform, author in authors:
        ids[platform].add(author.external_id)
    found = {
        (c.platform, c.external_id): c
        for c in Customer.objects.filter(
            _any(Q(platform=p, external_id__in=values) for p, values in ids.items())
        )
    }
    new, changed = {}, {}
    for platform, author in authors:
        key = (platform, author.external_id)
        customer = found.get(key)
        if customer is None:
            found[key] = new[key] = built(
                Customer,
                platform=platform,
                external_id=author.external_id,
                handle=author.handle,
                name=author.name,
                followers=author.followers,
                verified=author.verified,
                first_seen_at=now,
                updated_at=now,
            )
            continue
        fresh = {
            "handle": author.handle or customer.handle,
            "name": author.name or customer.name,
            "followers": author.followers if author.followers is not None else customer.followers,
            "verified": author.verified or (customer.verified and not author.handle),
        }
        names = [name for name, value in fresh.items() if getattr(customer, name) != value]
        for name in names:
            setattr(customer, name, fresh[name])
        if names:
            customer.updated_at = now
            if key not in new:
                changed[key] = customer
    if new:
        Customer.objects.bulk_create(
            [new[key] for key in sorted(new)],
            update_conflicts=True,
            unique_fields=["platform", "external_id"],
            update_fields=list(CUSTOMER_FIELDS),
        )
    rows_update(Customer, [changed[key] for key in sorted(changed)], CUSTOMER_FIELDS)
    return found


def references_allocate(count: int, *, now: datetime) -> list[str]:
    """`count` consecutive references C-<year>-<6 digits>, gapless per year, in one
    UPDATE ... RETURNING of the year's counter.

    The counter row stays locked until the intake commits, so references follow
    commit order (a rolled-back page gives its numbers back); the lock is taken
    when the page writes, so the wait is short.
    """
    year = now.astimezone(ZoneInfo(settings.DISPLAY_TIME_ZONE)).year
    qn = connection.ops.quote_name
    sql = (
        f"UPDATE {qn(CaseReferenceCounter._meta.db_table)} SET {qn('last')} = {qn('last')} + %s "
        f"WHERE {qn('year')} = %s RETURNING {qn('last')}"
    )
    for _attempt in range(3):
        with connection.cursor() as cursor:
            cursor.execute(sql, [count, year])
            row = cursor.fetchone()
        if row is not None:
            last = row[0]
            break
        try:
            with transaction.atomic():
                CaseReferenceCounter.objects.create(year=year, last=count)
            last = count
            break
        except IntegrityError:
            continue  # another intake created this year's row first
    else:
        raise RuntimeError("could not allocate case references")
    return [f"C-{year}-{number:06d}" for number in range(last - count + 1, last + 1)]
