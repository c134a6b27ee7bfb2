"""Platform payloads -> `Mention`s. Pure: no database, no network, no clock.

Takes X API v2 response pages (mentions timeline, search, filtered-stream lines),
v1.1 tweet objects (Account Activity webhooks, old timelines), and the wrappers
recordings come in (vcrpy/`responses` interaction lists, JSON Lines). A whole
document that is none of these raises `PayloadError`; a single bad entry inside
a good document becomes a rejected `ParsedItem`, so one malformed tweet never
costs the rest of its page.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cases.mention import Author, Mention

PLATFORM = "x"
MAX_TEXT_LENGTH = 25_000  # X's longest post; longer is not a real tweet
ID_MAX_LENGTH = 32


class PayloadError(ValueError):
    """The document as a whole is not an X mentions payload."""


@dataclass
class ParsedItem:
    """One entry of a page: a mention, or the reason it could not be read."""

    external_id: str
    raw: Any
    mention: Mention | None = None
    error: str = ""  # machine code, e.g. "id_not_string"
    detail: str = ""

    def __post_init__(self) -> None:
        # json.loads lets NUL and lone surrogates (\u0000, \ud800) in; PostgreSQL's
        # jsonb and text hold neither, so such an item would fail the whole request.
        # It is rejected instead, and kept as its JSON text with those escaped. A JSON
        # null would be stored as SQL NULL, which the column refuses: kept as text too.
        if self.raw is not None and _storable(self.raw):
            return
        if not self.error:
            self.external_id = content_id(self.raw)
            self.mention = None
            self.error = "invalid_unicode"
            self.detail = "the item holds a NUL character or a lone surrogate"
        self.raw = {"unstorable_json": json.dumps(self.raw, ensure_ascii=True)}


@dataclass
class ParsedPage:
    items: list[ParsedItem] = field(default_factory=list)
    newest_id: str = ""
    oldest_id: str = ""
    next_token: str = ""
    result_count: int | None = None
    errors: list[dict] = field(default_factory=list)  # partial errors of a 200 response


class ItemError(ValueError):
    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


def _storable(raw: Any) -> bool:
    """No NUL and no lone surrogate in any string of `raw` (walked without recursion:
    a payload may be nested as deep as the JSON parser allows)."""
    stack = [raw]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return False
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return True


def content_id(raw: Any) -> str:
    """A stable id for an entry that has no usable id of its own."""
    blob = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    return "invalid:" + hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def _rejected(raw: Any, exc: ItemError) -> ParsedItem:
    return ParsedItem(external_id=content_id(raw), raw=raw, error=exc.code, detail=exc.detail)


def _id(value: Any, what: str, *, required: bool = True) -> str:
    if value is None or value == "":
        if required:
            raise ItemError(f"{what}_missing", f"{what} is missing")
        return ""
    if not isinstance(value, str):
        # Numbers lose digits in JSON parsers (2^53); an id must arrive as a string.
        raise ItemError(
            f"{what}_not_string", f"{what} must be a string, got {type(value).__name__}"
        )
    if not value.isascii() or not value.isdigit() or len(value) > ID_MAX_LENGTH:
        raise ItemError(f"{what}_invalid", f"{what} is not a numeric id")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ItemError("text_missing", "text must be a string")
    if len(value) > MAX_TEXT_LENGTH:
        raise ItemError("text_too_long", f"text has {len(value)} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ItemError("text_invalid_unicode", str(exc)) from None
    return value


def _v2_time(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ItemError("created_at_invalid", f"created_at {value!r} is not ISO 8601") from None
    if moment.tzinfo is None:
        raise ItemError("created_at_invalid", "created_at has no time zone")
    return moment


def _v1_time(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.strptime(str(value), "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        raise ItemError("created_at_invalid", f"created_at {value!r} is not a v1.1 date") from None


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _hashtags(entities: Any, key: str) -> tuple[str, ...]:
    if not isinstance(entities, dict) or not isinstance(entities.get("hashtags"), list):
        return ()
    return tuple(
        h[key] for h in entities["hashtags"] if isinstance(h, dict) and isinstance(h.get(key), str)
    )


# --- X API v2 -------------------------------------------------------------------


def _v2_author(user: Any) -> Author | None:
    if not isinstance(user, dict):
        return None
    metrics = user.get("public_metrics") if isinstance(user.get("public_metrics"), dict) else {}
    return Author(
        external_id=_id(user.get("id"), "author_id"),
        handle=str(user.get("username") or "")[:100],
        name=str(user.get("name") or "")[:200],
        followers=_int_or_none(metrics.get("followers_count")),
        verified=bool(user.get("verified")),
    )


def parse_v2_tweet(tweet: Any, users: dict[str, dict], errors: list[dict]) -> Mention:
    if not isinstance(tweet, dict):
        raise ItemError("not_an_object", "a tweet must be a JSON object")
    tweet_id = _id(tweet.get("id"), "id")
    text = _text(tweet.get("text"))
    author_id = _id(tweet.get("author_id"), "author_id", required=False)
    if author_id:
        author = _v2_author(users.get(author_id)) or Author(external_id=author_id)
    else:
        author = None
    refs = tweet.get("referenced_tweets") or []
    if not isinstance(refs, list):
        raise ItemError("referenced_tweets_invalid", "referenced_tweets must be a list")
    replied_to = quoted = ""
    is_retweet = False
    ref_ids = []
    for ref in refs:
        if not isinstance(ref, dict):
            raise ItemError("referenced_tweets_invalid", "a referenced tweet must be an object")
        ref_id = _id(ref.get("id"), "referenced_id")
        ref_ids.append(ref_id)
        if ref.get("type") == "replied_to":
            replied_to = ref_id
        elif ref.get("type") == "quoted":
            quoted = ref_id
        elif ref.get("type") == "retweeted":
            is_retweet = True
    history = tweet.get("edit_history_tweet_ids") or [tweet_id]
    if not isinstance(history, list) or not history:
        raise ItemError("edit_history_invalid", "edit_history_tweet_ids must be a list")
    edit_root = _id(history[0], "edit_history_id")
    entities = tweet.get("entities")
    mentioned = ()
    if isinstance(entities, dict) and isinstance(entities.get("mentions"), list):
        mentioned = tuple(
            m["id"]
            for m in entities["mentions"]
            if isinstance(m, dict) and isinstance(m.get("id"), str)
        )
    problems = tuple(
        str(e.get("type", "error")).rsplit("/", 1)[-1]
        for e in errors
        if isinstance(e, dict) and (e.get("resource_id") or e.get("value")) in ref_ids
    )
    lang = tweet.get("lang")
    return Mention(
        platform=PLATFORM,
        external_id=tweet_id,
        text=text,
        created_at=_v2_time(tweet.get("created_at")),
        author=author,
        conversation_id=_id(tweet.get("conversation_id"), "conversation_id", required=False),
        in_reply_to_id=replied_to,
        in_reply_to_user_id=_id(
            tweet.get("in_reply_to_user_id"), "in_reply_to_user_id", required=False
        ),
        quoted_id=quoted,
        is_retweet=is_retweet,
        edit_root_id=edit_root,
        lang=lang if isinstance(lang, str) else "",
        hashtags=_hashtags(entities, "tag"),
        mentioned_user_ids=mentioned,
        withheld=isinstance(tweet.get("withheld"), dict),
        problems=problems,
    )


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def parse_v2_page(page: dict) -> ParsedPage:
    """One v2 response page: `data` (a list, or one tweet for stream lines) + `includes`."""
    includes = page.get("includes") if isinstance(page.get("includes"), dict) else {}
    users = {
        u["id"]: u
        for u in _list(includes.get("users"))
        if isinstance(u, dict) and isinstance(u.get("id"), str)
    }
    errors = [e for e in _list(page.get("errors")) if isinstance(e, dict)]
    data = page.get("data")
    if data is None:
        data = []
    elif isinstance(data, dict):
        data = [data]
    elif not isinstance(data, list):
        raise PayloadError("`data` must be a list of tweets")
    meta = page.get("meta") if isinstance(page.get("meta"), dict) else {}
    result = ParsedPage(
        newest_id=str(meta.get("newest_id") or ""),
        oldest_id=str(meta.get("oldest_id") or ""),
        next_token=str(meta.get("next_token") or ""),
        result_count=_int_or_none(meta.get("result_count")),
        errors=errors,
    )
    for tweet in data:
        author = users.get(tweet.get("author_id")) if isinstance(tweet, dict) else None
        # What is stored is this tweet's slice of the page, itself a valid page.
        raw = {"data": tweet}
        if author:
            raw["includes"] = {"users": [author]}
        try:
            mention = parse_v2_tweet(tweet, users, errors)
        except ItemError as exc:
            result.items.append(_rejected(raw, exc))
            continue
        # A list, not a set: a garbage error "value" may be unhashable.
        ref_ids = [r.get("id") for r in tweet.get("referenced_tweets") or []]
        related = [e for e in errors if (e.get("resource_id") or e.get("value")) in ref_ids]
        if related:
            raw["errors"] = related
        result.items.append(ParsedItem(external_id=mention.external_id, raw=raw, mention=mention))
    return result


# --- X API v1.1 (Account Activity webhooks, old timelines) ------------------------


def parse_v1_tweet(tweet: Any) -> Mention:
    if not isinstance(tweet, dict):
        raise ItemError("not_an_object", "a tweet must be a JSON object")
    tweet_id = _id(tweet.get("id_str"), "id")
    extended = tweet.get("extended_tweet") if isinstance(tweet.get("extended_tweet"), dict) else {}
    text = _text(extended.get("full_text") or tweet.get("full_text") or tweet.get("text"))
    user = tweet.get("user")
    author = None
    if isinstance(user, dict):
        author = Author(
            external_id=_id(user.get("id_str"), "author_id"),
            handle=str(user.get("screen_name") or "")[:100],
            name=str(user.get("name") or "")[:200],
            followers=_int_or_none(user.get("followers_count")),
            verified=bool(user.get("verified")),
        )
    entities = extended.get("entities") or tweet.get("entities")
    mentioned = ()
    if isinstance(entities, dict) and isinstance(entities.get("user_mentions"), list):
        mentioned = tuple(
            m["id_str"]
            for m in entities["user_mentions"]
            if isinstance(m, dict) and isinstance(m.get("id_str"), str)
        )
    lang = tweet.get("lang")
    return Mention(
        platform=PLATFORM,
        external_id=tweet_id,
        text=text,
        created_at=_v1_time(tweet.get("created_at")),
        author=author,
        in_reply_to_id=_id(tweet.get("in_reply_to_status_id_str"), "in_reply_to", required=False),
        in_reply_to_user_id=_id(
            tweet.get("in_reply_to_user_id_str"), "in_reply_to_user_id", required=False
        ),
        quoted_id=_id(tweet.get("quoted_status_id_str"), "quoted_id", required=False),
        is_retweet=isinstance(tweet.get("retweeted_status"), dict),
        edit_root_id=tweet_id,
        lang=lang if isinstance(lang, str) else "",
        hashtags=_hashtags(entities, "text"),
        mentioned_user_ids=mentioned,
        withheld=bool(tweet.get("withheld_in_countries")),
    )


def parse_v1_tweets(tweets: list) -> ParsedPage:
    page = ParsedPage()
    for tweet in tweets:
        try:
            mention = parse_v1_tweet(tweet)
        except ItemError as exc:
            page.items.append(_rejected(tweet, exc))
            continue
        page.items.append(ParsedItem(external_id=mention.external_id, raw=tweet, mention=mention))
    return page


# --- Documents: recordings and their wrappers ----------------------------------


def _is_v1_tweet(obj: Any) -> bool:
    return isinstance(obj, dict) and "id_str" in obj and ("user" in obj or "text" in obj)


def _looks_like_v2_page(obj: dict) -> bool:
    return "data" in obj or isinstance(obj.get("meta"), dict)


def parse_document(doc: Any) -> list[ParsedPage]:
    """Every page in one JSON document; raises PayloadError when there is none."""
    pages = _pages(doc)
    if pages is None:
        raise PayloadError(
            "not an X mentions payload: expected a v2 response page ({'data': [...], "
            "'meta': {...}}), a list of pages, v1.1 tweets, a webhook body or a recording"
        )
    return pages


def _pages(doc: Any) -> list[ParsedPage] | None:
    if isinstance(doc, list):
        if not doc:
            return []
        if all(_is_v1_tweet(t) for t in doc if isinstance(t, dict)) and any(
            _is_v1_tweet(t) for t in doc
        ):
            return [parse_v1_tweets(doc)]
        pages: list[ParsedPage] = []
        for entry in doc:
            sub = _pages(entry)
            if sub is None:
                raise PayloadError("a list must hold response pages or tweets")
            pages.extend(sub)
        return pages
    if not isinstance(doc, dict):
        return None
    if _looks_like_v2_page(doc):
        return [parse_v2_page(doc)]
    if isinstance(doc.get("tweet_create_events"), list):  # Account Activity webhook body
        return [parse_v1_tweets(doc["tweet_create_events"])]
    if _is_v1_tweet(doc):
        return [parse_v1_tweets([doc])]
    if isinstance(doc.get("interactions"), list):  # recorded request/response pairs
        return _interactions(doc["interactions"])
    if isinstance(doc.get("http_interactions"), list):  # vcr cassette (R, Ruby)
        return _interactions(doc["http_interactions"])
    for key in ("response", "body", "json"):  # one wrapped response
        if key in doc:
            sub = _pages(_unwrap_body(doc[key]))
            if sub is not None:
                return sub if _is_read(doc.get("request")) else []
    return _loose_excerpt(doc)


_TWEET_READS = re.compile(r"/(mentions|tweets|timeline|search|stream)", re.IGNORECASE)


def _is_read(request: Any) -> bool:
    """Only reads of tweets carry mentions: a recorded POST /2/tweets is our own
    reply, and GET /2/users/me is the account itself."""
    if not isinstance(request, dict):
        return True
    if str(request.get("method", "GET")).upper() != "GET":
        return False
    uri = request.get("uri") or request.get("url")
    return not isinstance(uri, str) or bool(_TWEET_READS.search(uri))


def _unwrap_body(value: Any) -> Any:
    if isinstance(value, dict):
        if "json" in value:
            return value["json"]
        body = value.get("body")
        if isinstance(body, dict) and isinstance(body.get("string"), str):
            try:
                return json.loads(body["string"])
            except ValueError:
                return None
        if "body" in value:
            return value["body"]
    return value


def _interactions(interactions: list) -> list[ParsedPage]:
    pages: list[ParsedPage] = []
    for interaction in interactions:
        if not isinstance(interaction, dict) or not _is_read(interaction.get("request")):
            continue
        body = _unwrap_body(interaction.get("response"))
        sub = _pages(body) if body is not None else None
        pages.extend(sub or [])
    return pages


def _loose_excerpt(doc: dict) -> list[ParsedPage] | None:
    """Tweets grouped under descriptive keys ("withheld_tweets", "users", "errors")."""
    tweets, users, errors = [], [], []
    for key, value in doc.items():
        if not isinstance(value, list):
            continue
        if key.endswith("tweets"):
            tweets.extend(value)
        elif key.endswith("users"):
            users.extend(value)
        elif "error" in key:
            errors.extend(value)
    if not tweets:
        return None
    return [parse_v2_page({"data": tweets, "includes": {"users": users}, "errors": errors})]


def parse_text(text: str) -> list[ParsedPage]:
    """A file's text: one JSON document, or JSON Lines (one page or tweet per line).

    In JSON Lines a line that is not JSON is one rejected entry; the others count.
    """
    try:
        return parse_document(json.loads(text))
    except json.JSONDecodeError as exc:
        whole_error = exc
    lines = [line for line in text.splitlines() if line.strip()]
    pages: list[ParsedPage] = []
    good_lines = 0
    for number, line in enumerate(lines, start=1):
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            raw = {"line": number, "text": line[:MAX_TEXT_LENGTH], "error": str(exc)}
            pages.append(ParsedPage(items=[_rejected(raw, ItemError("invalid_json", str(exc)))]))
            continue
        sub = _pages(doc)
        if sub is None:
            raise PayloadError(f"line {number} is not an X mentions payload")
        good_lines += 1
        pages.extend(sub)
    if not good_lines:
        raise PayloadError(f"not valid JSON: {whole_error}")
    return pages


# --- Generic signed channels (POST /social/inbound/<channel>/) -------------------

CHANNEL_ID_MAX_LENGTH = 64  # what a message keeps of a platform id
CHANNEL_MAX_ITEMS = 100


def _channel_id(value: Any, what: str, *, required: bool = True) -> str:
    """Another platform's id: any short printable token, but always a string."""
    if value is None or value == "":
        if required:
            raise ItemError(f"{what}_missing", f"{what} is missing")
        return ""
    if not isinstance(value, str):
        raise ItemError(
            f"{what}_not_string", f"{what} must be a string, got {type(value).__name__}"
        )
    if (
        len(value) > CHANNEL_ID_MAX_LENGTH
        or not value.isascii()
        or not value.isprintable()
        or any(c.isspace() for c in value)
    ):
        raise ItemError(
            f"{what}_invalid",
            f"{what} must be 1-{CHANNEL_ID_MAX_LENGTH} printable ASCII characters without spaces",
        )
    return value


def parse_channel_item(item: Any, *, platform: str) -> Mention:
    """One item of the channel JSON (see `views.channel_inbound`) as a Mention."""
    if not isinstance(item, dict):
        raise ItemError("not_an_object", "an item must be a JSON object")
    item_id = _channel_id(item.get("id"), "id")
    text = _text(item.get("text"))
    author_raw = item.get("author")
    author = None
    if author_raw is not None:
        if not isinstance(author_raw, dict):
            raise ItemError("author_invalid", "author must be an object")
        followers = author_raw.get("followers")
        if followers is not None and _int_or_none(followers) is None:
            raise ItemError("author_followers_invalid", "followers must be a whole number")
        author = Author(
            external_id=_channel_id(author_raw.get("id"), "author_id"),
            handle=str(author_raw.get("handle") or "")[:100],
            name=str(author_raw.get("name") or "")[:200],
            followers=followers,
            verified=author_raw.get("verified") is True,
        )
    hashtags = item.get("hashtags") or []
    if not isinstance(hashtags, list):
        raise ItemError("hashtags_invalid", "hashtags must be a list of strings")
    lang = item.get("lang")
    return Mention(
        platform=platform,
        external_id=item_id,
        text=text,
        created_at=_v2_time(item.get("created_at")),
        author=author,
        conversation_id=_channel_id(item.get("conversation_id"), "conversation_id", required=False),
        in_reply_to_id=_channel_id(item.get("in_reply_to_id"), "in_reply_to_id", required=False),
        edit_root_id=item_id,
        lang=lang[:10] if isinstance(lang, str) else "",
        hashtags=tuple(str(h).lstrip("#")[:50] for h in hashtags if isinstance(h, str))[:30],
    )


def parse_channel_document(doc: Any, *, platform: str) -> ParsedPage:
    """A channel body: one item, a list of items, or {"items": [...]}.

    Raises PayloadError when the body as a whole is none of these; a bad item
    becomes a rejected entry, kept under a hash of its content (so the corrected
    item, sent again with the same id, is not mistaken for a repeat).
    """
    if isinstance(doc, dict) and "items" in doc and "id" not in doc:
        doc = doc["items"]
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        raise PayloadError('expected an item object, a list of items, or {"items": [...]}')
    if not doc:
        raise PayloadError("no items")
    if len(doc) > CHANNEL_MAX_ITEMS:
        raise PayloadError(f"at most {CHANNEL_MAX_ITEMS} items per request")
    page = ParsedPage()
    for item in doc:
        try:
            mention = parse_channel_item(item, platform=platform)
        except ItemError as exc:
            page.items.append(_rejected(item, exc))
            continue
        page.items.append(ParsedItem(external_id=mention.external_id, raw=item, mention=mention))
    return page


# --- Our own posts ------------------------------------------------------------------

_LEADING_MENTIONS = re.compile(r"^(?:@\w+\s+)+")
_URL = re.compile(r"https?://\S+")


def _comparable(text: str) -> str:
    """Text as X shows it back, reduced to what we wrote: X escapes &, < and >,
    puts the @names of a reply in front and wraps links in t.co."""
    text = unicodedata.normalize("NFC", html.unescape(text)).strip()
    text = _LEADING_MENTIONS.sub("", text)
    text = _URL.sub("<url>", text)
    return " ".join(text.split())


def reply_matches(tweet: Any, *, in_reply_to_id: str, text: str) -> bool:
    """Is this tweet of the account's timeline our reply with this text to that tweet?

    Where X says what a tweet replies to (`referenced_tweets`), it must be the
    same tweet; a server that leaves the field out is judged on the text alone.
    """
    if not isinstance(tweet, dict) or not isinstance(tweet.get("text"), str):
        return False
    refs = tweet.get("referenced_tweets")
    if isinstance(refs, list):
        replied = {
            r.get("id") for r in refs if isinstance(r, dict) and r.get("type") == "replied_to"
        }
        if in_reply_to_id not in replied:
            return False
    return _comparable(tweet["text"]) == _comparable(text)
