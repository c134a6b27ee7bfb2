"""POST /social/inbound/<channel>/: per-channel secret, one documented JSON shape."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cases.models import Case, Message
from social_ingest.models import InboundChannel, InboundEvent
from social_ingest.signatures import sada_signature

SECRET = "chan-secret"


@pytest.fixture
def channel(db) -> InboundChannel:
    return InboundChannel.objects.create(slug="whatsapp", name="WhatsApp", secret=SECRET)


def item(item_id="wamid.HBgM1", text="السلام عليكم، متى يصدر التصريح؟", **extra) -> dict:
    return {
        "id": item_id,
        "text": text,
        "created_at": "2026-11-22T09:00:00Z",
        "author": {"id": "966500000001", "handle": "citizen", "name": "A Citizen", "followers": 3},
        "lang": "ar",
        **extra,
    }


def send(doc, *, slug="whatsapp", secret=SECRET, signature=None, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(doc).encode()
    header = signature if signature is not None else sada_signature(secret, body)
    return Client().post(
        f"/social/inbound/{slug}/",
        data=body,
        content_type="application/json",
        HTTP_X_SADA_SIGNATURE=header,
    )


def test_signature_vector_is_hex_hmac_sha256():
    assert sada_signature("chan-secret", b'{"id": "1"}') == (
        "sha256=8f5ec887cd6d8724b1482ff7f0a0b96be1c37ac571f9af77a1868b735eb97d18"
    )


def test_a_signed_item_opens_a_case_on_that_channel(channel):
    response = send(item())
    assert response.status_code == 200
    assert response.json() == {
        "new_cases": 1,
        "appended": 0,
        "not_a_case": 0,
        "duplicates": 0,
        "rejected": 0,
        "received": 1,
    }
    case = Case.objects.get()
    assert case.channel == "whatsapp" and case.customer.handle == "citizen"
    event = InboundEvent.objects.get()
    assert event.platform == "whatsapp" and event.source == "channel"
    assert event.payload == item()  # the raw item, verbatim
    assert send(item()).json()["duplicates"] == 1
    assert Message.objects.count() == 1


def test_a_reply_in_the_same_conversation_joins_the_case(channel):
    send(item("m1", conversation_id="conv-1"))
    response = send([item("m2", "شكراً، وصلني", conversation_id="conv-1", in_reply_to_id="m1")])
    assert response.json()["appended"] == 1
    assert Case.objects.count() == 1 and Message.objects.count() == 2


def test_the_items_wrapper_and_lists_are_accepted(channel):
    assert send({"items": [item("a"), item("b")]}).json()["new_cases"] == 2


def test_the_same_id_on_x_and_on_a_channel_are_different_posts(channel, account):
    send(item("1929473068234027715"))
    assert InboundEvent.objects.get().platform == "whatsapp"


def test_bad_items_get_400_with_reasons_and_are_kept_while_good_ones_are_stored(channel):
    doc = [
        item("good-1"),
        item(12345),
        {"text": "no id"},
        item("bad-author", author={"handle": "x"}),
        item("bad date", created_at="yesterday"),
    ]
    response = send(doc)
    assert response.status_code == 400
    body = response.json()
    assert body["new_cases"] == 1 and body["rejected"] == 4
    reasons = {(r["index"], r["error"]) for r in body["rejected_items"]}
    assert reasons == {
        (1, "id_not_string"),
        (2, "id_missing"),
        (3, "author_id_missing"),
        (4, "id_invalid"),
    }
    assert body["rejected_items"][0]["id"] is None  # 12345 is not a usable id
    rejected = InboundEvent.objects.filter(state="rejected")
    assert rejected.count() == 4
    assert {e.payload.get("id") for e in rejected} == {12345, None, "bad-author", "bad date"}
    # Sending the same bad items again stores nothing new; a corrected item goes in.
    assert send(doc).json()["rejected"] == 4
    assert InboundEvent.objects.filter(state="rejected").count() == 4
    assert send(item("bad-author")).json()["new_cases"] == 1


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff", "not UTF-8"),
        (b"[]", "no items"),
        (b"5", "expected an item"),
        (json.dumps([item(str(i)) for i in range(101)]).encode(), "at most 100"),
    ],
)
def test_a_body_that_is_not_the_shape_gets_400_with_a_reason(channel, raw, reason):
    response = send(None, raw=raw)
    assert response.status_code == 400
    assert reason in response.json()["reason"]
    assert InboundEvent.objects.count() == 0


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "sha256=" + "0" * 64,
        sada_signature("other-secret", json.dumps(item()).encode()),
        "8f5ec887cd6d8724b1482ff7f0a0b96be1c37ac571f9af77a1868b735eb97d18",
    ],
)
def test_a_wrong_or_missing_signature_is_403(channel, signature):
    assert send(item(), signature=signature).status_code == 403
    assert InboundEvent.objects.count() == 0


def test_a_tampered_body_is_403(channel):
    body = json.dumps(item()).encode()
    signature = sada_signature(SECRET, body)
    assert (
        send(None, raw=body.replace(b"citizen", b"admin"), signature=signature).status_code == 403
    )


def test_unknown_and_inactive_channels_are_404(channel):
    assert send(item(), slug="telegram").status_code == 404
    channel.is_active = False
    channel.save()
    assert send(item()).status_code == 404


def test_a_channel_without_secret_fails_closed(channel):
    InboundChannel.objects.filter(pk=channel.pk).update(secret="")
    assert send(item(), secret="").status_code == 403


def test_oversize_is_413(channel, settings):
    settings.SADA_MAX_WEBHOOK_BYTES = 500
    assert send(item(text="x" * 1000)).status_code == 413


def test_only_post_is_allowed(channel):
    assert Client().get("/social/inbound/whatsapp/").status_code == 405


def test_x_is_a_reserved_channel_name(db):
    with pytest.raises(ValidationError):
        InboundChannel(slug="x", name="fake X", secret="s").full_clean()


def test_a_new_channel_gets_a_random_secret(db):
    one = InboundChannel.objects.create(slug="a", name="A")
    two = InboundChannel.objects.create(slug="b", name="B")
    assert len(one.secret) >= 40 and one.secret != two.secret
