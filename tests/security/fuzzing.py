"""Hypothesis strategies for bad input, shared by the fuzz tests: garbage bytes,
truncated and deeply nested JSON, wrong types, ids as numbers, invisible and
bidi-override characters, huge texts, lone surrogates and NULs."""

from __future__ import annotations

import copy
import json

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Bounded so the whole of tests/security stays fast on two shared cores; the
# database is off so no `.hypothesis/` directory is left behind.
FUZZ = settings(
    max_examples=int(__import__("os").environ.get("SADA_FUZZ_EXAMPLES", "60")),
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200c",
    "\u200d",
    "\u2060",  # word joiner
    "\ufeff",  # BOM
    "\u202e",  # right-to-left override
    "\u202d",
    "\u2066",  # isolates
    "\u2067",
    "\u2069",
    "\u061c",  # Arabic letter mark
    "\u00ad",  # soft hyphen
]
NASTY = [
    "\x00",  # NUL: PostgreSQL text cannot hold it
    "\ud800",  # a lone surrogate: not encodable as UTF-8
    "\udfff",
    "\U0010ffff",
    "\ufffd",
    "\r\n",
    "\\u0000",
    "%00",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "' OR 1=1 --",
]

nasty_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(INVISIBLE + NASTY + ["حريق", "اسعاف", "a", " "]), max_size=30).map(
        "".join
    ),
    st.builds(
        lambda ch, n: ch * n, st.sampled_from(["ا", "x", "\u200b", "😞"]), st.integers(1, 300)
    ),
    # 100,000 characters (and a little more or less than the limits around it).
    st.sampled_from([100_000, 25_001, 281]).map(lambda n: "ب" * n),
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    nasty_text,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
# Values a field may be replaced with: wrong types, ids as numbers, nothing.
wrong_values = st.one_of(
    json_values,
    st.integers(min_value=0, max_value=2**64).map(int),  # an id as a number
    st.integers(min_value=0, max_value=2**64).map(lambda n: str(n) + "x"),
    st.just(""),
    st.just([]),
    st.just({}),
)


def deep(depth: int, *, kind: str = "list") -> bytes:
    return (
        (b"[" * depth + b"]" * depth)
        if kind == "list"
        else (b'{"a":' * depth + b"1" + b"}" * depth)
    )


def dumps(doc) -> bytes:
    """JSON as a client would send it; a lone surrogate goes out as its `\\ud800` escape."""
    return json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")


def body_from(doc, how: str, cut: int) -> bytes:
    """A document sent whole, truncated, with invalid UTF-8 inserted, or as ASCII escapes."""
    whole = dumps(doc)
    if how == "truncated" and len(whole) > 1:
        return whole[: max(1, cut % len(whole))]
    if how == "bad_utf8":
        at = cut % (len(whole) + 1)
        return whole[:at] + b"\xff\xfe\xc3" + whole[at:]
    if how == "ascii":
        return json.dumps(doc, ensure_ascii=True).encode()
    return whole


def mutated(base: dict, paths: list[tuple[str, ...]]) -> st.SearchStrategy:
    """`base` with some of its fields (dotted `paths`) replaced by wrong values or removed."""

    def apply(changes):
        doc = json.loads(json.dumps(base))
        for path, action, value in changes:
            target = doc
            for key in path[:-1]:
                if not isinstance(target, dict):
                    break
                target = target.setdefault(key, {})
            if not isinstance(target, dict):
                continue
            if action == "drop":
                target.pop(path[-1], None)
            else:
                target[path[-1]] = copy.deepcopy(value)
        return doc

    change = st.tuples(
        st.sampled_from(paths), st.sampled_from(["drop", "set", "set"]), wrong_values
    )
    return st.lists(change, max_size=4).map(apply)


def garbage_bodies(documents: st.SearchStrategy) -> st.SearchStrategy:
    """Bytes to post: mutated documents (whole, truncated, bad UTF-8), random bytes,
    random JSON, deeply nested JSON, and a body of a megabyte of one string."""
    return st.one_of(
        st.builds(
            body_from,
            documents,
            st.sampled_from(["whole", "whole", "whole", "truncated", "bad_utf8", "ascii"]),
            st.integers(0, 10**6),
        ),
        st.binary(max_size=200),
        json_values.map(dumps),
        st.sampled_from([deep(100_000), deep(5_000, kind="dict"), deep(900), b"", b"null"]),
    )
