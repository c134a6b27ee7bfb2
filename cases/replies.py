"""What X accepts as a reply, checked before anything is queued. Pure."""

from twitter_text import parse_tweet

from .exceptions import InvalidInput

MAX_WEIGHTED_LENGTH = 280


def weighted_length(text: str) -> int:
    """Length as X counts it: CJK and emoji weigh 2, links 23, Arabic and Latin 1.

    twitter-text-parser is a port of X's own twitter-text v3 configuration.
    """
    return parse_tweet(text).weightedLength


def check_reply_text(text: str) -> str:
    """The text to post, or InvalidInput saying why X would refuse it.

    A long answer is refused, not split: a thread of fragments reads badly in
    public and each part would need its own delivery; the agent shortens it.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("A reply cannot be empty.")
    result = parse_tweet(text)
    if result.weightedLength > MAX_WEIGHTED_LENGTH:
        raise InvalidInput(
            f"The reply is {result.weightedLength} characters as X counts them; "
            f"the limit is {MAX_WEIGHTED_LENGTH}.",
            weighted_length=result.weightedLength,
            limit=MAX_WEIGHTED_LENGTH,
        )
    if not result.valid:
        raise InvalidInput("The reply has characters X does not accept.")
    return text
