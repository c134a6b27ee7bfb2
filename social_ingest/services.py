"""Every write of the platform connector: storing what platforms send exactly once
and handing it to the helpdesk; polling X; posting agents' replies to X.

Network calls go through `clients.py`; the arithmetic of ids, overlap and back-off
lives in `polling.py`; both keep this module about state.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.models import Message
from cases.services import (
    intake,
    intake_failure_case,
    intake_many,
    reply_delivered,
    reply_delivery_deferred,
    reply_failed,
    reply_sending,
)
from helpdesk.db import built, rows_insert, rows_update
from helpdesk.logging import log_context
from helpdesk.memory import collector_paused

from . import clients, polling
from .exceptions import (
    XError,
    XForbidden,
    XNotConfigured,
    XRateLimited,
    XUnauthorized,
    XUnavailable,
    XUsageCapped,
)
from .models import DeliveryAttempt, InboundChannel, InboundEvent, MentionGap, SocialAccount
from .parsers import (
    PLATFORM,
    ParsedItem,
    ParsedPage,
    PayloadError,
    parse_channel_document,
    parse_v1_tweets,
    parse_v2_page,
    reply_matches,
)

logger = logging.getLogger(__name__)

INGEST_BATCH = 500
OUTCOMES = ("new_cases", "appended", "not_a_case", "duplicates", "rejected")
_INTAKE_OUTCOME = {"new_case": "new_cases", "appended": "appended", "not_a_case": "not_a_case"}


def mentions_ingest(
    *,
    items: list[ParsedItem],
    account: SocialAccount | None,
    source: str,
    platform: str = PLATFORM,
    now: datetime | None = None,
) -> Counter:
    """Store a page of raw items and turn them into case changes, in one transaction.

    - The raw items are stored first, in one INSERT ... ON CONFLICT DO NOTHING:
      the unique (platform, external id) turns away an item stored before,
      whatever path it came by, or being stored right now by another worker
      (which is waited for): "duplicates". So is a repeat within the page.
    - An item that could not be parsed is kept, with why: "rejected".
    - The others go to `cases.services.intake_many` together, in the order given
      (oldest first); its outcomes are recorded on the events.
    - Should the page's intake fail, its mentions are taken again one by one,
      each in its own savepoint: the one that fails is kept, marked with the
      error, as "rejected" (a person looks at it); the others land.
    Returns the counts of the outcomes.
    """
    now = now or timezone.now()
    counts: Counter = Counter(dict.fromkeys(OUTCOMES, 0))
    # Every line logged about the page says which account (set once, not per item).
    with (
        log_context(account=getattr(account, "handle", "")),
        collector_paused(),
        transaction.atomic(),
    ):
        stored = _events_store(items, account=account, source=source, platform=platform, now=now)
        fresh = []
        for item in items:
            event = stored.pop(item.external_id, None)  # a repeat finds it gone
            if event is None:
                counts["rejected" if item.error else "duplicates"] += 1
            elif item.error:
                logger.warning("rejected %s item %s: %s", source, item.external_id, item.detail)
                counts["rejected"] += 1
            else:
                fresh.append((item, event))
        outcomes = _intake_page(
            [item for item, _ in fresh], account=account, source=source, now=now
        )
        decided = []
        for (_item, event), result in zip(fresh, outcomes, strict=True):
            # The row as inserted, its outcome written over it.
            event.state, event.reason, event.error = InboundEvent.State.PROCESSED, "", ""
            if isinstance(result, Exception):
                event.state = InboundEvent.State.REJECTED
                event.reason = "intake_failed"
                event.error = f"{type(result).__name__}: {result}"[:2000]
                counts["rejected"] += 1
            elif result.outcome == "not_a_case":
                event.state = InboundEvent.State.NOT_A_CASE
                event.reason = result.reason
                counts["not_a_case"] += 1
            else:
                event.case = result.case
                counts[_INTAKE_OUTCOME[result.outcome]] += 1
            decided.append(event)
        rows_update(InboundEvent, decided, ["state", "reason", "error", "case"])
    return counts


def _events_store(
    items: list[ParsedItem],
    *,
    account: SocialAccount | None,
    source: str,
    platform: str,
    now: datetime,
) -> dict[str, InboundEvent]:
    """Insert the raw items not stored yet; the rows inserted, by external id.

    One statement, INSERT ... ON CONFLICT DO NOTHING RETURNING (the ORM's
    bulk_create cannot say which rows it skipped). Rows go in external-id order,
    so two workers storing overlapping pages wait for each other instead of
    deadlocking.
    """
    rows: dict[str, InboundEvent] = {}
    for item in items:
        rows.setdefault(
            item.external_id,
            built(
                InboundEvent,
                platform=platform,
                external_id=item.external_id,
                account=account,
                source=source,
                payload=item.raw,
                received_at=now,
                state=InboundEvent.State.REJECTED if item.error else InboundEvent.State.PROCESSED,
                reason=item.error,
                error=item.detail,
            ),
        )
    inserted = rows_insert(
        InboundEvent, [rows[key] for key in sorted(rows)], unique_fields=("platform", "external_id")
    )
    return {event.external_id: event for event in inserted}


def _intake_page(
    items: list[ParsedItem], *, account: SocialAccount | None, source: str, now: datetime
) -> list:
    """The intake's result for each item, or the exception that item failed with."""
    if not items:
        return []
    try:
        return intake_many([i.mention for i in items], account=account, source=source, now=now)
    except Exception:  # noqa: BLE001 - retried one by one below: only the culprit is rejected
        # The page's intake ran in its own savepoint: nothing of it was written.
        logger.warning("intake of a %s page failed; taking it item by item", source, exc_info=True)
    outcomes: list = []
    for item in items:
        try:
            outcomes.append(intake(item.mention, account=account, source=source, now=now))
        except Exception as exc:  # noqa: BLE001 - kept as a visible, logged rejection, never lost
            # The raw item stays, marked with the error, for a person to look at.
            logger.exception(
                "intake failed for %s item %s",
                source,
                item.external_id,
                extra={"case": intake_failure_case(exc)},
            )
            outcomes.append(exc)
    return outcomes


def chronological(items: list[ParsedItem]) -> list[ParsedItem]:
    """Oldest first, so a thread's first post opens the case and its clock.

    X serves pages newest first; snowflake ids grow with time, so ordering by id
    is ordering by time. Entries without a usable id keep their place at the end.
    """
    dated = [i for i in items if i.mention]
    return sorted(dated, key=lambda i: (len(i.external_id), i.external_id)) + [
        i for i in items if not i.mention
    ]


def pages_ingest(
    pages: list[ParsedPage],
    *,
    account: SocialAccount | None,
    source: str,
    platform: str = PLATFORM,
) -> Counter:
    """Every item of the pages, oldest first; the summary counts.

    Items are stored and taken in, set-wise, in batches of INGEST_BATCH, one
    transaction each (see `mentions_ingest`): one commit (one disk flush) and a
    fixed number of queries per batch instead of per mention.
    """
    summary: Counter = Counter(dict.fromkeys(OUTCOMES, 0))
    items = chronological([item for page in pages for item in page.items])
    for start in range(0, len(items), INGEST_BATCH):
        summary.update(
            mentions_ingest(
                items=items[start : start + INGEST_BATCH],
                account=account,
                source=source,
                platform=platform,
            )
        )
    summary["received"] = sum(summary[key] for key in OUTCOMES)
    if account is not None and summary["received"] > summary["duplicates"] + summary["rejected"]:
        SocialAccount.objects.filter(pk=account.pk).update(last_mention_at=timezone.now())
    return summary


def webhook_ingest(*, body: dict) -> dict:
    """An X Account Activity POST: its `tweet_create_events` through the pipeline.

    - The account is the one named by `for_user_id`; events for an account Sada
      does not know are ignored (logged), as are other event kinds (likes,
      follows, direct messages: out of scope).
    - Raises PayloadError when `tweet_create_events` is not a list.
    """
    events = body.get("tweet_create_events")
    if events is None:
        return {"ignored": "no tweet_create_events"}
    if not isinstance(events, list):
        raise PayloadError("tweet_create_events must be a list")
    for_user_id = body.get("for_user_id")
    account = None
    if isinstance(for_user_id, str) and for_user_id:
        account = SocialAccount.objects.filter(platform=PLATFORM, external_id=for_user_id).first()
    if account is None:
        logger.warning("X webhook for unknown account %r ignored", for_user_id)
        return {"ignored": "unknown for_user_id"}
    summary = pages_ingest(
        [parse_v1_tweets(events)], account=account, source=InboundEvent.Source.WEBHOOK
    )
    return dict(summary)


def channel_ingest(*, channel: InboundChannel, doc) -> tuple[dict, list[dict]]:
    """A signed channel body through the pipeline, as platform `channel.slug`.

    - Raises PayloadError when the body is not one of the documented shapes.
    - Returns the summary and, for each rejected item, its index, code and detail;
      a rejected item is kept (under a hash of its content) for inspection.
    """
    page = parse_channel_document(doc, platform=channel.slug)
    rejected = [
        {"index": index, "id": _item_id(item.raw), "error": item.error, "detail": item.detail}
        for index, item in enumerate(page.items)
        if item.error
    ]
    summary = pages_ingest(
        [page], account=None, source=InboundEvent.Source.CHANNEL, platform=channel.slug
    )
    return dict(summary), rejected


def _item_id(raw) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None


# --- Accounts -------------------------------------------------------------------------


def account_register(
    *, external_id: str, handle: str, display_name: str = "", credentials_env: str = ""
) -> tuple[SocialAccount, bool]:
    """The organisation account with this X id, created or refreshed.

    - Matched by X id first (a renamed account keeps its row), then by handle
      (an account first created by a replay learns its id).
    - Returns (account, created).
    """
    with transaction.atomic():
        account = (
            SocialAccount.objects.select_for_update()
            .filter(platform=PLATFORM, external_id=external_id)
            .first()
        ) or (
            SocialAccount.objects.select_for_update()
            .filter(platform=PLATFORM, handle__iexact=handle, external_id="")
            .first()
        )
        if account is None:
            account = SocialAccount.objects.create(
                platform=PLATFORM,
                external_id=external_id,
                handle=handle,
                display_name=display_name,
                credentials_env=credentials_env,
            )
            return account, True
        account.external_id = external_id
        account.handle = handle
        account.display_name = display_name or account.display_name
        if credentials_env:
            account.credentials_env = credentials_env
        account.save(update_fields=["external_id", "handle", "display_name", "credentials_env"])
        return account, False


def account_resume(*, account: SocialAccount) -> None:
    """An operator lifts a pause (back-off, usage cap, bad credentials fixed): the
    next cycle polls. The last error stays on record."""
    SocialAccount.objects.filter(pk=account.pk).update(
        backoff_until=None, health=SocialAccount.Health.OK, consecutive_failures=0
    )


def gap_acknowledge(*, gap: MentionGap, user, now: datetime | None = None) -> bool:
    """A supervisor has seen the gap. False when someone already had."""
    return bool(
        MentionGap.objects.filter(pk=gap.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now or timezone.now(), acknowledged_by=user
        )
    )


# --- The poll lease: one poller per account, across every cluster ---------------------


def lease_owner_id() -> str:
    """Who is polling: host and process (to spot a dead holder) and a nonce."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _holder_is_dead(owner: str) -> bool:
    """A holder on this machine whose process is gone (killed mid-poll): its lease
    need not run out before a restarted poller takes over."""
    host, _sep, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # another thread of this very process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def lease_acquire(*, account_id: int, owner: str, now: datetime | None = None) -> bool:
    """Take the account's poll lease if it is free, expired, or held by a dead process.

    A conditional update: of two pollers racing, exactly one gets a row.
    """
    now = now or timezone.now()
    until = now + timedelta(seconds=settings.X_POLL_LEASE_SECONDS)
    free = Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lte=now) | Q(poll_lease_owner="")
    if SocialAccount.objects.filter(free, pk=account_id).update(
        poll_lease_owner=owner, poll_lease_until=until
    ):
        return True
    holder = (
        SocialAccount.objects.filter(pk=account_id)
        .values_list("poll_lease_owner", flat=True)
        .first()
    )
    if holder and _holder_is_dead(holder):
        logger.warning(
            "account %s: taking over the poll lease of dead poller %s", account_id, holder
        )
        return bool(
            SocialAccount.objects.filter(pk=account_id, poll_lease_owner=holder).update(
                poll_lease_owner=owner, poll_lease_until=until
            )
        )
    return False


def lease_renew(*, account_id: int, owner: str) -> bool:
    until = timezone.now() + timedelta(seconds=settings.X_POLL_LEASE_SECONDS)
    return bool(
        SocialAccount.objects.filter(pk=account_id, poll_lease_owner=owner).update(
            poll_lease_until=until
        )
    )


def lease_release(*, account_id: int, owner: str) -> None:
    """Give the lease back. When the database went away mid-poll (a restart), the
    release is retried on a fresh connection for a few seconds: otherwise this very
    process, still alive, would find its own lease held and skip the account until
    it expires (X_POLL_LEASE_SECONDS)."""
    for delay in (0, 0.5, 1, 2, 4):
        time.sleep(delay)
        try:
            SocialAccount.objects.filter(pk=account_id, poll_lease_owner=owner).update(
                poll_lease_owner="", poll_lease_until=None
            )
            return
        except DatabaseError:
            if connection.in_atomic_block:
                raise  # the caller's transaction is broken: its caller must handle it
            connection.close()  # reconnect on the next try
    logger.warning("account %s: poll lease not released; it expires by itself", account_id)


class LeaseLost(Exception):
    """Another poller took the account over (our lease ran out mid-poll)."""


# --- Polling ----------------------------------------------------------------------------


@dataclass
class PollResult:
    account: str  # the handle
    status: str  # "polled", "skipped" or "failed"
    reason: str = ""  # why skipped or failed: a health code, "locked", "inactive"
    detail: str = ""  # X's message, or who holds the lock
    until: datetime | None = None  # paused or locked until
    counts: Counter = field(default_factory=Counter)
    pages: int = 0
    watermark_before: str = ""
    watermark_after: str = ""
    gap: MentionGap | None = None

    def describe(self) -> str:
        """One line for the operator running `poll_mentions`."""
        who = f"@{self.account}"
        until = f" until {self.until.isoformat(timespec='seconds')}" if self.until else ""
        if self.status == "skipped":
            extra = f": {self.detail}" if self.detail else ""
            return f"{who}: not polled ({self.reason}{until}){extra}"
        received = sum(self.counts[k] for k in OUTCOMES)
        counts = ", ".join(f"{k} {self.counts[k]}" for k in OUTCOMES)
        line = f"{who}: {received} received ({counts}) in {self.pages} page(s)"
        if self.status == "failed":
            return f"{line}; FAILED ({self.reason}{until}): {self.detail}"
        line += f"; watermark {self.watermark_before or '-'} -> {self.watermark_after or '-'}"
        if self.gap is not None:
            line += (
                f"; GAP of ~{self.gap.estimated_count or '?'} mention(s) "
                f"between {self.gap.after_id} and {self.gap.before_id}"
            )
        return line


def account_poll(
    *,
    account: SocialAccount,
    force: bool = False,
    client: clients.XClient | None = None,
) -> PollResult:
    """Read the account's new mentions from X into the helpdesk.

    - An inactive account, or one paused (back-off, rate limit, usage cap, bad
      credentials) is not polled unless `force`; the result says until when.
    - One poller per account at a time (the lease); a second one is "locked".
    - Every page is read, from the watermark as it stood X_POLL_OVERLAP_SECONDS ago
      (late mentions); every item goes through `mentions_ingest`, oldest first,
      a batch per transaction. Repeats are dropped by the unique tweet id.
    - The watermark moves to the first page's newest id only after every page
      was read and stored, by compare-and-set: a stale poller cannot move it back.
    - Reading about as many mentions as X lists without reaching the old
      watermark records a MentionGap.
    - An X error is recorded on the account with its own pause (see
      `_poll_failed`); what was read before it is still stored.
    """
    now = timezone.now()
    account.refresh_from_db()
    result = PollResult(account=account.handle, status="skipped", watermark_before=account.since_id)
    if not account.is_active:
        result.reason = "inactive"
        return result
    if not force and account.backoff_until and account.backoff_until > now:
        result.reason = _pause_reason(account)
        result.until = account.backoff_until
        result.detail = account.last_error
        return result
    owner = lease_owner_id()
    if not lease_acquire(account_id=account.pk, owner=owner, now=now):
        account.refresh_from_db(fields=["poll_lease_owner", "poll_lease_until"])
        result.reason = "locked"
        result.until = account.poll_lease_until
        result.detail = f"another poller ({account.poll_lease_owner}) is polling this account"
        return result
    try:
        return _poll_locked(account, owner=owner, client=client, now=now, result=result)
    finally:
        lease_release(account_id=account.pk, owner=owner)


def _pause_reason(account: SocialAccount) -> str:
    if account.health != SocialAccount.Health.OK:
        return account.health
    return "rate_window_used_up" if account.rate_limit_remaining == 0 else "backoff"


def _poll_locked(
    account: SocialAccount,
    *,
    owner: str,
    client: clients.XClient | None,
    now: datetime,
    result: PollResult,
) -> PollResult:
    SocialAccount.objects.filter(pk=account.pk).update(last_attempt_at=now)
    watermark = account.since_id
    overlap = timedelta(seconds=settings.X_POLL_OVERLAP_SECONDS)
    floor = polling.overlap_floor(account.watermark_history, watermark, now=now, overlap=overlap)
    pages: list[ParsedPage] = []
    failure: XError | None = None
    try:
        client = client or clients.client_for(account)
        if not account.external_id:
            _learn_external_id(account, client)
        token = ""
        seen_tokens: set[str] = set()
        while True:
            body = client.get_mentions(
                account.external_id, since_id=polling.id_before(floor), pagination_token=token
            )
            try:
                page = parse_v2_page(body)
            except PayloadError as exc:
                raise XUnavailable(f"X sent a page that is not a mentions page: {exc}") from exc
            pages.append(page)
            if page.errors:
                # Deleted or withheld referenced tweets, suspended authors: kept with
                # the items they concern, never fatal.
                logger.info("@%s: %d partial error(s) on a page", account.handle, len(page.errors))
            if not lease_renew(account_id=account.pk, owner=owner):
                raise LeaseLost(f"@{account.handle}: poll lease lost mid-poll")
            token = page.next_token
            if not token:
                break
            if token in seen_tokens or len(pages) >= settings.X_POLL_MAX_PAGES:
                raise XUnavailable(f"X kept paginating after {len(pages)} pages")
            seen_tokens.add(token)
    except XError as exc:
        failure = exc
    except LeaseLost as exc:
        logger.warning("%s", exc)
        return _lease_lost(account, pages, result)
    result.pages = len(pages)
    # What was read is stored even when a later page failed: nothing read is lost,
    # and the watermark stays, so the next poll reads it all again.
    try:
        result.counts = _store_polled(account, pages, owner=owner)
    except LeaseLost as exc:
        logger.warning("%s", exc)
        return _lease_lost(account, [], result)
    if failure is not None:
        return _poll_failed(account, failure, now=now, client=client, result=result)
    return _poll_succeeded(
        account, pages, watermark=watermark, now=now, client=client, result=result
    )


INGEST_CHUNK = 100


def _store_polled(account: SocialAccount, pages: list[ParsedPage], *, owner: str) -> Counter:
    """Every item read, oldest first, renewing the lease as it goes (800 mentions
    take a while to route and assign)."""
    items = chronological([item for page in pages for item in page.items])
    counts: Counter = Counter(dict.fromkeys([*OUTCOMES, "received"], 0))
    for start in range(0, len(items), INGEST_CHUNK):
        chunk = ParsedPage(items=items[start : start + INGEST_CHUNK])
        counts.update(pages_ingest([chunk], account=account, source=InboundEvent.Source.POLL))
        if not lease_renew(account_id=account.pk, owner=owner):
            raise LeaseLost(f"@{account.handle}: poll lease lost while storing mentions")
    return counts


def _lease_lost(account: SocialAccount, pages: list[ParsedPage], result: PollResult) -> PollResult:
    """Another poller owns the account now: store what we read (harmless repeats for
    them), and leave the watermark and the account's health to them."""
    if pages:
        result.counts = pages_ingest(pages, account=account, source=InboundEvent.Source.POLL)
    result.status, result.reason = "failed", "lease_lost"
    return result


def _learn_external_id(account: SocialAccount, client: clients.XClient) -> None:
    """An account registered by handle only learns its X id from the credentials."""
    me = client.get_me().get("data")
    user_id = me.get("id") if isinstance(me, dict) else None
    if not isinstance(user_id, str) or not user_id.isdigit():
        raise XUnavailable(f"GET /2/users/me sent no user id: {str(me)[:200]}")
    try:
        with transaction.atomic():
            SocialAccount.objects.filter(pk=account.pk, external_id="").update(external_id=user_id)
    except IntegrityError:
        raise XNotConfigured(
            f"The credentials of @{account.handle} belong to X user {user_id}, "
            "which is another organisation account."
        ) from None
    account.refresh_from_db(fields=["external_id"])


def _page_newest(page: ParsedPage) -> str:
    ids = [i.external_id for i in page.items if i.mention]
    if page.newest_id.isascii() and page.newest_id.isdigit():
        ids.append(page.newest_id)
    return polling.newest_id(*ids)


def _rate_limit_fields(client: clients.XClient | None) -> dict:
    limit = client.rate_limit if client is not None else None
    if limit is None:
        return {}
    return {
        "rate_limit_limit": limit.limit,
        "rate_limit_remaining": limit.remaining,
        "rate_limit_reset_at": limit.reset_at,
    }


def _poll_succeeded(
    account: SocialAccount,
    pages: list[ParsedPage],
    *,
    watermark: str,
    now: datetime,
    client: clients.XClient,
    result: PollResult,
) -> PollResult:
    fetched = [
        (item.external_id, item.mention.created_at)
        for page in pages
        for item in page.items
        if item.mention
    ]
    new_watermark = polling.newest_id(watermark, _page_newest(pages[0]) if pages else "")
    finished = timezone.now()
    with transaction.atomic():
        if new_watermark != watermark:
            written = {tweet_id: at for tweet_id, at in fetched}.get(new_watermark)
            history = polling.history_after_advance(
                account.watermark_history,
                old=watermark,
                new=new_watermark,
                now=finished,
                overlap=timedelta(seconds=settings.X_POLL_OVERLAP_SECONDS),
            )
            # Compare-and-set: only from the watermark this poll started from.
            moved = SocialAccount.objects.filter(pk=account.pk, since_id=watermark).update(
                since_id=new_watermark,
                watermark_history=history,
                watermark_at=written or finished,
            )
            if not moved:
                logger.warning(
                    "@%s: watermark moved by another poller; keeping theirs", account.handle
                )
                new_watermark = watermark
            else:
                gap = polling.detect_gap(
                    watermark=watermark,
                    watermark_at=account.watermark_at,
                    fetched=fetched,
                    threshold=settings.X_MENTIONS_GAP_THRESHOLD,
                )
                if gap is not None:
                    result.gap = MentionGap.objects.create(
                        account=account,
                        after_id=gap.after_id,
                        before_id=gap.before_id,
                        from_time=gap.from_time,
                        to_time=gap.to_time,
                        estimated_count=gap.estimated_count,
                        fetched_count=len(fetched),
                        detected_at=finished,
                    )
                    logger.error(
                        "@%s: GAP: read %d mentions without reaching watermark %s; about %s "
                        "mention(s) between %s and %s are out of X's reach",
                        account.handle,
                        len(fetched),
                        watermark,
                        gap.estimated_count or "an unknown number of",
                        gap.from_time,
                        gap.to_time,
                    )
        changes = {
            "health": SocialAccount.Health.OK,
            "last_poll_at": finished,
            "consecutive_failures": 0,
            "backoff_until": None,
            **_rate_limit_fields(client),
        }
        reset_at = changes.get("rate_limit_reset_at")
        if changes.get("rate_limit_remaining") == 0 and reset_at and reset_at > finished:
            # The window is used up: the next request would be a 429.
            changes["backoff_until"] = reset_at
        SocialAccount.objects.filter(pk=account.pk).update(**changes)
    result.status = "polled"
    result.watermark_after = new_watermark
    return result


def _poll_failed(
    account: SocialAccount,
    exc: XError,
    *,
    now: datetime,
    client: clients.XClient | None,
    result: PollResult,
) -> PollResult:
    """Record an X error on the account, with the pause it calls for.

    - 429 window limit: rate_limited until X's reset time.
    - 429 usage cap: usage_capped, an alert, and X_USAGE_CAP_PAUSE_SECONDS before
      asking again (the window reset does not lift a monthly cap).
    - 401/403, missing credentials: unauthorized, with X's message, paused
      X_UNAUTHORIZED_PAUSE_SECONDS (an operator can resume once fixed).
    - 5xx, timeouts, anything else: error, retried after an exponential back-off.
    """
    failures = account.consecutive_failures + 1
    Health = SocialAccount.Health
    if isinstance(exc, XUsageCapped):
        health = Health.USAGE_CAPPED
        until = now + timedelta(seconds=settings.X_USAGE_CAP_PAUSE_SECONDS)
        if exc.reset_at and exc.reset_at > until:
            until = exc.reset_at
        logger.error(
            "ALERT @%s: X usage cap reached, polling paused until %s: %s",
            account.handle,
            until,
            exc.message,
        )
    elif isinstance(exc, XRateLimited):
        health = Health.RATE_LIMITED
        if exc.reset_at and exc.reset_at > now:
            until = exc.reset_at + timedelta(seconds=1)
        else:
            until = now + _backoff(failures)
        logger.warning("@%s: rate limited until %s", account.handle, until)
    elif isinstance(exc, (XUnauthorized, XForbidden, XNotConfigured)):
        health = Health.UNAUTHORIZED
        until = now + timedelta(seconds=settings.X_UNAUTHORIZED_PAUSE_SECONDS)
        logger.error("ALERT @%s: X refused the credentials: %s", account.handle, exc.message)
    else:
        health = Health.ERROR
        until = now + _backoff(failures)
        logger.warning("@%s: poll failed (%s), retrying after %s", account.handle, exc, until)
    SocialAccount.objects.filter(pk=account.pk).update(
        health=health,
        last_error=exc.message[:2000],
        last_error_at=now,
        backoff_until=until,
        consecutive_failures=F("consecutive_failures") + 1,
        **_rate_limit_fields(client),
    )
    result.status = "failed"
    result.reason = health
    result.detail = exc.message
    result.until = until
    return result


def _backoff(failures: int) -> timedelta:
    return polling.backoff_delay(
        failures, base=settings.X_BACKOFF_BASE_SECONDS, cap=settings.X_BACKOFF_MAX_SECONDS
    )


def accounts_poll_due(*, now: datetime | None = None) -> list[int]:
    """Ids of the active accounts whose poll interval has elapsed and that are not
    paused. A few seconds of slack keep a 60 s interval on a 60 s schedule."""
    now = now or timezone.now()
    due = []
    for account in SocialAccount.objects.filter(platform=PLATFORM, is_active=True).only(
        "id", "poll_interval_seconds", "last_attempt_at", "backoff_until"
    ):
        if account.backoff_until and account.backoff_until > now:
            continue
        interval = timedelta(seconds=max(account.poll_interval_seconds - 5, 0))
        if account.last_attempt_at is None or account.last_attempt_at + interval <= now:
            due.append(account.pk)
    return due


# --- Replies out ----------------------------------------------------------------------


def reply_deliver(*, message_id: int, client: clients.XClient | None = None) -> str:
    """Post one agent reply to X, exactly once. Returns what happened (a code).

    - Re-reads the reply; one already sent or failed is left alone ("done").
    - An attempt started less than X_DELIVERY_STALE_SECONDS ago and not finished
      belongs to a live worker ("in_progress"); a retry not yet due waits.
    - The claim (delivery "sending", attempts + 1, a DeliveryAttempt row) commits
      before X is called. If the previous attempt may have posted (its worker
      died, or X timed out or failed with 5xx), the account's recent tweets are
      searched first and a matching reply is adopted instead of posting again.
    - 5xx, timeouts and 429 are retried with back-off (the periodic
      `retry_deliveries` task re-queues due ones); 403 (duplicate text, deleted
      target), 401, other 4xx and the usage cap fail the reply with X's reason.
    - After X_DELIVERY_MAX_ATTEMPTS attempts the reply fails with the last error.
    - Success records the tweet id on the attempt, then marks the reply sent (the
      first reply sets the case's first response); a worker dying in between
      leaves the id on the attempt, and the next run finishes from there.
    """
    now = timezone.now()
    message = Message.objects.select_related("case__account").filter(pk=message_id).first()
    if message is None or message.direction != Message.Direction.OUTBOUND:
        return "done"
    if message.delivery not in (Message.Delivery.QUEUED, Message.Delivery.SENDING):
        return "done"
    last = DeliveryAttempt.objects.filter(message_id=message_id).order_by("-number").first()
    if last is not None and last.outcome in ("posted", "adopted") and last.tweet_id:
        # The worker recorded X's answer, then died before the reply was marked sent.
        reply_delivered(message_id=message_id, platform_id=last.tweet_id)
        return "recovered"
    stale = timedelta(seconds=settings.X_DELIVERY_STALE_SECONDS)
    if last is not None and last.finished_at is None and last.started_at > now - stale:
        return "in_progress"
    if last is not None and last.outcome == "retry" and last.retry_at and last.retry_at > now:
        return "not_due"
    uncertain = message.delivery == Message.Delivery.SENDING and (
        last is None or last.finished_at is None or last.maybe_posted
    )
    account = message.case.account
    if message.channel != PLATFORM or account is None:
        reply_failed(
            message_id=message_id,
            error=f"Sada cannot post on channel {message.channel!r} (no X account on the case).",
        )
        return "failed"

    with transaction.atomic():
        claimed = reply_sending(message_id=message_id, expected_attempts=message.delivery_attempts)
        if claimed is None:
            return "in_progress"  # another worker claimed it between our read and now
        attempt = DeliveryAttempt.objects.create(
            message=claimed, number=claimed.delivery_attempts, started_at=now
        )

    posting = False
    try:
        client = client or clients.client_for(account)
        if uncertain:
            found = _find_posted_reply(client, account, message)
            if found:
                return _delivery_adopted(attempt, found)
        if attempt.number > settings.X_DELIVERY_MAX_ATTEMPTS:
            error = (
                f"Gave up after {attempt.number - 1} attempts. "
                f"Last error: {message.delivery_error or '-'}"
            )
            _attempt_finish(attempt, outcome="failed", error=error)
            reply_failed(message_id=message_id, error=error)
            return "failed"
        posting = True
        data = client.create_reply(text=message.text, in_reply_to_tweet_id=message.in_reply_to_id)
    except XError as exc:
        if not posting:
            return _lookup_failed(attempt, account, exc, carry_uncertainty=uncertain)
        if isinstance(exc, XForbidden) and exc.is_duplicate and attempt.number > 1:
            # Perhaps our own earlier post, not yet listed when we looked.
            try:
                found = _find_posted_reply(client, account, message)
            except XError:
                found = ""
            if found:
                return _delivery_adopted(attempt, found)
        if isinstance(exc, (XRateLimited, XUnavailable)) and not isinstance(exc, XUsageCapped):
            return _delivery_retry(attempt, exc, maybe_posted=exc.maybe_applied)
        return _delivery_failed(attempt, account, exc, error=f"X refused the reply: {exc.detail}")
    _attempt_finish(attempt, outcome="posted", tweet_id=data["id"], status=201)
    reply_delivered(message_id=message_id, platform_id=data["id"])
    return "posted"


def _delivery_adopted(attempt: DeliveryAttempt, tweet_id: str) -> str:
    _attempt_finish(attempt, outcome="adopted", tweet_id=tweet_id)
    reply_delivered(message_id=attempt.message_id, platform_id=tweet_id)
    logger.info(
        "reply %s: adopted tweet %s, posted by an earlier attempt", attempt.message_id, tweet_id
    )
    return "adopted"


def _lookup_failed(
    attempt: DeliveryAttempt, account: SocialAccount, exc: XError, *, carry_uncertainty: bool
) -> str:
    """Before posting: no client, or the search for an earlier post failed."""
    transient = isinstance(exc, (XRateLimited, XUnavailable)) and not isinstance(exc, XUsageCapped)
    if transient and attempt.number <= settings.X_DELIVERY_MAX_ATTEMPTS:
        # Nothing was posted now; whether an earlier attempt did is still open.
        return _delivery_retry(attempt, exc, maybe_posted=carry_uncertainty)
    if not carry_uncertainty:
        return _delivery_failed(attempt, account, exc, error=f"Could not post: {exc.detail}")
    error = (
        "Could not check on X whether an earlier attempt already posted this reply "
        f"({exc.detail}); it was not posted again, to avoid a duplicate. Look at the "
        "account's replies on X before sending it again."
    )
    return _delivery_failed(attempt, account, exc, error=error)


def _find_posted_reply(client: clients.XClient, account: SocialAccount, message: Message) -> str:
    """The id of a tweet of the account replying to the same tweet with the same
    text, not already recorded for another reply; "" when there is none."""
    user_id = account.external_id or str((client.get_me().get("data") or {}).get("id") or "")
    token = ""
    for _page in range(10):  # ~1,000 of the account's posts since the customer's
        body = client.get_own_tweets(
            user_id, since_id=message.in_reply_to_id, pagination_token=token
        )
        tweets = body.get("data") if isinstance(body.get("data"), list) else []
        candidates = [
            t["id"]
            for t in tweets
            if isinstance(t, dict)
            and isinstance(t.get("id"), str)
            and reply_matches(t, in_reply_to_id=message.in_reply_to_id, text=message.text)
        ]
        if candidates:
            taken = set(
                Message.objects.filter(channel=message.channel, platform_id__in=candidates)
                .exclude(pk=message.pk)
                .values_list("platform_id", flat=True)
            )
            free = [c for c in candidates if c not in taken]
            if free:
                return polling.oldest_id(free)
        meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
        token = meta.get("next_token") or ""
        if not token:
            return ""
    return ""


def _attempt_finish(
    attempt: DeliveryAttempt,
    *,
    outcome: str,
    tweet_id: str = "",
    error: str = "",
    status: int | None = None,
    retry_at: datetime | None = None,
    maybe_posted: bool = False,
) -> None:
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(
        finished_at=timezone.now(),
        outcome=outcome,
        tweet_id=tweet_id,
        error=error[:2000],
        status_code=status,
        retry_at=retry_at,
        maybe_posted=maybe_posted,
    )


def _delivery_failed(
    attempt: DeliveryAttempt, account: SocialAccount, exc: XError, *, error: str
) -> str:
    _attempt_finish(attempt, outcome="failed", error=exc.message, status=exc.status)
    reply_failed(message_id=attempt.message_id, error=error)
    if isinstance(exc, (XUnauthorized, XUsageCapped, XNotConfigured)):
        # The account cannot post at all: show it there too.
        SocialAccount.objects.filter(pk=account.pk).update(
            last_error=f"Posting a reply: {exc.message}"[:2000], last_error_at=timezone.now()
        )
        logger.error("ALERT @%s: cannot post replies: %s", account.handle, exc.message)
    else:
        logger.warning("reply %s failed for good: %s", attempt.message_id, error)
    return "failed"


def _delivery_retry(attempt: DeliveryAttempt, exc: XError, *, maybe_posted: bool) -> str:
    now = timezone.now()
    if isinstance(exc, XRateLimited) and exc.reset_at and exc.reset_at > now:
        retry_at = exc.reset_at + timedelta(seconds=1)
    else:
        retry_at = now + _backoff(attempt.number)
    _attempt_finish(
        attempt,
        outcome="retry",
        error=exc.message,
        status=exc.status,
        retry_at=retry_at,
        maybe_posted=maybe_posted,
    )
    reply_delivery_deferred(
        message_id=attempt.message_id,
        error=f"Attempt {attempt.number} failed ({exc.message}); retrying at "
        f"{retry_at.isoformat(timespec='seconds')}.",
    )
    logger.warning(
        "reply %s: attempt %d failed (%s), retry at %s",
        attempt.message_id,
        attempt.number,
        exc.message,
        retry_at,
    )
    return "retry"
