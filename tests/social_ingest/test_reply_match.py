"""parsers.reply_matches: recognising our own reply in the account's timeline. Pure."""

import pytest

from social_ingest.parsers import reply_matches

TARGET = "1929473068234027715"
TEXT = "Thanks & welcome <3 — details: https://example.gov.sa/permits?id=1"


def tweet(text, *, replied_to=TARGET, refs=True) -> dict:
    data = {"id": "1", "text": text}
    if refs:
        data["referenced_tweets"] = [{"type": "replied_to", "id": replied_to}]
    return data


@pytest.mark.parametrize(
    "shown",
    [
        TEXT,
        # X escapes &, < and >, puts the @name in front and wraps links in t.co.
        "@mariadev Thanks &amp; welcome &lt;3 — details: https://t.co/AbC123xyZ9",
        "@mariadev @other  Thanks &amp; welcome &lt;3 —   details: https://t.co/x",
    ],
)
def test_our_reply_is_recognised_as_x_shows_it(shown):
    assert reply_matches(tweet(shown), in_reply_to_id=TARGET, text=TEXT)


def test_a_reply_to_another_tweet_or_with_other_text_is_not_ours():
    assert not reply_matches(tweet(TEXT, replied_to="99"), in_reply_to_id=TARGET, text=TEXT)
    assert not reply_matches(tweet("Something else"), in_reply_to_id=TARGET, text=TEXT)
    assert not reply_matches({"id": "1"}, in_reply_to_id=TARGET, text=TEXT)
    assert not reply_matches("not a tweet", in_reply_to_id=TARGET, text=TEXT)


def test_without_reply_references_the_text_decides():
    assert reply_matches(tweet(TEXT, refs=False), in_reply_to_id=TARGET, text=TEXT)
