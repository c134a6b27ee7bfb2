"""The arithmetic of polling X: tweet ids, the overlap window, back-off, gaps.

Pure: no database, no network, no clock (`now` is always an argument).

Tweet ids are decimal strings and stay strings (the README's rule); they are
compared by length, then lexically, which orders decimal numbers correctly
without turning them into numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


def _key(tweet_id: str) -> tuple[int, str]:
    digits = tweet_id.lstrip("0")
    return (len(digits), digits)


def id_newer(a: str, b: str) -> bool:
    """Is tweet id `a` newer than `b`? The empty id is older than every id."""
    if not a:
        return False
    if not b:
        return True
    return _key(a) > _key(b)


def newest_id(*ids: str) -> str:
    best = ""
    for tweet_id in ids:
        if id_newer(tweet_id, best):
            best = tweet_id
    return best


def oldest_id(ids) -> str:
    best = ""
    for tweet_id in ids:
        if tweet_id and (not best or id_newer(best, tweet_id)):
            best = tweet_id
    return best


def id_before(tweet_id: str) -> str:
    """The id just before `tweet_id`: as `since_id` (exclusive) it returns the tweet
    itself too, so the poll can see that it met its old watermark."""
    digits = tweet_id.lstrip("0")
    if not digits or digits == "1":
        return ""
    # Decimal decrement on the string, borrowing from the right.
    chars = list(digits)
    i = len(chars) - 1
    while chars[i] == "0":
        chars[i] = "9"
        i -= 1
    chars[i] = str(int(chars[i]) - 1)
    return "".join(chars).lstrip("0")


# --- The watermark and its overlap window ---------------------------------------------


def overlap_floor(history: list, since_id: str, *, now: datetime, overlap: timedelta) -> str:
    """The watermark as it stood `overlap` ago: the poll re-reads from there.

    X sometimes lists a mention minutes after later ones; a poll starting at the
    newest watermark would never see it. Re-reading recent minutes costs no extra
    request in the usual case (they fit on the first page) and the unique tweet id
    drops what was already stored.

    `history` holds `[since_id, iso time it was set]` pairs, oldest first.
    """
    cutoff = now - overlap
    floor = since_id
    for value, set_at in reversed(_entries(history)):
        floor = value
        if set_at is None or set_at <= cutoff:
            break
    return since_id if id_newer(floor, since_id) else floor


def history_after_advance(
    history: list, *, old: str, new: str, now: datetime, overlap: timedelta
) -> list:
    """The history once the watermark moved from `old` to `new` at `now`, keeping
    only what `overlap_floor` can still need."""
    entries = _entries(history)
    if not entries:
        entries = [(old, None)]  # in force "since always"
    entries.append((new, now))
    cutoff = now - overlap
    # Keep every entry set after the cutoff and the last one set before it.
    keep_from = 0
    for index, (_value, set_at) in enumerate(entries):
        if set_at is None or set_at <= cutoff:
            keep_from = index
    return [
        [value, set_at.isoformat() if set_at else None] for value, set_at in entries[keep_from:]
    ]


def _entries(history: list) -> list[tuple[str, datetime | None]]:
    entries = []
    for entry in history or []:
        try:
            value, set_at = entry
            entries.append((str(value), datetime.fromisoformat(set_at) if set_at else None))
        except (TypeError, ValueError):
            continue  # a hand-edited row: ignore what cannot be read
    return entries


# --- Back-off ---------------------------------------------------------------------------


def backoff_delay(failures: int, *, base: int, cap: int) -> timedelta:
    """Exponential back-off after the n-th failure in a row: base, 2*base, ... cap."""
    exponent = max(0, min(failures - 1, 20))
    return timedelta(seconds=min(cap, base * (2**exponent)))


# --- Gaps ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    after_id: str
    before_id: str
    from_time: datetime | None
    to_time: datetime | None
    estimated_count: int | None


def detect_gap(
    *,
    watermark: str,
    watermark_at: datetime | None,
    fetched: list[tuple[str, datetime | None]],
    threshold: int,
) -> Gap | None:
    """A gap when the poll read about as many mentions as X lists and still did not
    reach its old watermark.

    The poll asks from just before the watermark (`id_before`), so an unbroken run
    of mentions includes an id at or below it: "met". Not meeting it with fewer
    mentions than the threshold only means the watermark tweet was deleted.
    `fetched` holds (id, created_at) of every mention read by the poll.
    """
    if not watermark or len(fetched) < threshold:
        return None
    if any(not id_newer(tweet_id, watermark) for tweet_id, _at in fetched):
        return None
    oldest = oldest_id(tweet_id for tweet_id, _at in fetched)
    times = [at for _id, at in fetched if at is not None]
    to_time = min(times) if times else None
    estimate = None
    if times and watermark_at and to_time and to_time > watermark_at:
        span = (max(times) - to_time).total_seconds()
        if span > 0:
            # The rate of the mentions we did read, over the time we did not.
            rate = len(fetched) / span
            estimate = max(1, round(rate * (to_time - watermark_at).total_seconds()))
    return Gap(
        after_id=watermark,
        before_id=oldest,
        from_time=watermark_at,
        to_time=to_time,
        estimated_count=estimate,
    )
