"""Small builders of X payloads for tests (ids as strings, v2 shapes)."""

from datetime import UTC, datetime, timedelta

ACCOUNT_ID = "1700000000000000001"
_BASE = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def tweet(
    tweet_id: str,
    text: str = "@SadaMinistry hello",
    *,
    author_id: str = "500",
    minutes: int = 0,
    conversation_id: str | None = None,
    replied_to: str | None = None,
    retweeted: str | None = None,
    edit_history: list[str] | None = None,
    lang: str = "ar",
    created_at: datetime | None = None,
) -> dict:
    refs = []
    if replied_to:
        refs.append({"type": "replied_to", "id": replied_to})
    if retweeted:
        refs.append({"type": "retweeted", "id": retweeted})
    data = {
        "id": tweet_id,
        "text": text,
        "author_id": author_id,
        "created_at": (created_at or _BASE + timedelta(minutes=minutes))
        .isoformat()
        .replace("+00:00", "Z"),
        "conversation_id": conversation_id or tweet_id,
        "edit_history_tweet_ids": edit_history or [tweet_id],
        "lang": lang,
    }
    if refs:
        data["referenced_tweets"] = refs
    return data


def user(user_id: str = "500", username: str = "citizen", followers: int = 10, **extra) -> dict:
    return {
        "id": user_id,
        "username": username,
        "name": extra.pop("name", username.title()),
        "verified": extra.pop("verified", False),
        "public_metrics": {"followers_count": followers},
        **extra,
    }


def page(*tweets: dict, users: list[dict] | None = None, next_token: str = "") -> dict:
    authors = users or [user(t["author_id"], f"user{t['author_id']}") for t in tweets]
    seen, unique = set(), []
    for u in authors:
        if u["id"] not in seen:
            seen.add(u["id"])
            unique.append(u)
    meta = {"result_count": len(tweets)}
    if tweets:
        meta["newest_id"] = tweets[0]["id"]
        meta["oldest_id"] = tweets[-1]["id"]
    if next_token:
        meta["next_token"] = next_token
    body = {"meta": meta}
    if tweets:
        body["data"] = list(tweets)
        body["includes"] = {"users": unique}
    return body
