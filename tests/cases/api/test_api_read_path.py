"""The case list and detail read values, not model objects (bench api_load): what they
show must be exactly what CaseSerializer shows of the same case loaded as a model,
whatever the case holds (assignee, account, tags, a merge, messages); the key's
query is compiled once and still read afresh on every request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers

from cases import services
from cases.api.compiled import CompiledQuery
from cases.api.filters import case_rows
from cases.api.serializers import CaseSerializer, MessageSerializer
from cases.models import Case, Message
from cases.models_api import ApiKey
from social_ingest.models import SocialAccount
from tests.cases.api.conftest import key_client, make_key, open_case

pytestmark = pytest.mark.django_db


def _varied_cases(agent, supervisor) -> list[Case]:
    """Cases that fill every field of a row one way or another."""
    agent.first_name, agent.last_name = "أمل", "Nasser"
    agent.save(update_fields=["first_name", "last_name"])
    plain = open_case("9701")
    services.case_reply(case=plain, author=agent, text="نعمل على طلبكم", actor_kind="user")
    assigned = services.case_assign(
        case=open_case("9702", author_id="702"), assignee=agent, actor=supervisor
    )
    kept = open_case("9703", author_id="703")
    merged = open_case("9704", author_id="703")
    services.case_merge(case=merged, into=kept, actor=supervisor)
    tagged = open_case("9705", author_id="705")
    account = SocialAccount.objects.create(handle="SadaMinistry")
    Case.objects.filter(pk=tagged.pk).update(
        tags=["وزارة", "x"],
        priority_reasons=["vip"],
        status=Case.Status.PENDING,
        account=account,
        escalation_level=2,
    )
    return [plain, assigned, kept, merged, tagged]


def _as_model(cases: list[Case], now) -> dict[str, dict]:
    rows = case_rows(Case.objects.filter(pk__in=[c.pk for c in cases]), now=now)
    return {row.reference: CaseSerializer(row, context={"now": now}).data for row in rows}


def test_list_and_detail_rows_equal_the_model_serializer(agent, supervisor):
    cases = _varied_cases(agent, supervisor)
    _k, raw = make_key(created_by=supervisor)
    client = key_client(raw)
    listed = client.get("/api/v1/cases/?page_size=200").json()["results"]
    # The API's own `now` is a moment later: no case here is near a warning instant.
    expected = _as_model(cases, timezone.now())
    assert {row["reference"]: row for row in listed} == expected
    assert expected[cases[3].reference]["merged_into"] == cases[2].reference
    assert expected[cases[1].reference]["assignee"]["name"] == "أمل Nasser"
    assert expected[cases[4].reference]["account"] == "SadaMinistry"
    for case in cases:
        detail = client.get(f"/api/v1/cases/{case.reference}/").json()
        messages = detail.pop("messages")
        assert detail == expected[case.reference]
        if case == cases[0]:
            assert [m["author"] for m in messages] == [None, agent.username]
        loaded = Message.objects.filter(case=case).select_related("author")
        assert messages == MessageSerializer(loaded.order_by("created_at", "id"), many=True).data


def test_merged_rows_cost_one_query_whatever_their_number(supervisor):
    kept = open_case("9711", author_id="711")
    for n in range(3):
        services.case_merge(case=open_case(str(9712 + n), author_id="711"), into=kept, actor=None)
    _k, raw = make_key(created_by=supervisor)
    client = key_client(raw)
    client.get("/api/v1/me/")  # the first use stamps last_used_at
    with CaptureQueriesContext(connection) as ctx:
        rows = client.get("/api/v1/cases/").json()["results"]
    assert [r["merged_into"] for r in rows].count(kept.reference) == 3
    assert len(ctx.captured_queries) == 3  # key, page, merge targets


def test_hand_built_messages_equal_drf_generic_output(agent, supervisor):
    case = open_case("9721")
    services.case_reply(case=case, author=agent, text="شكراً لتواصلكم", actor_kind="user")
    Message.objects.filter(case=case, author=agent).update(delivered_at=timezone.now())
    loaded = list(Message.objects.filter(case=case).select_related("author"))
    assert {m.author_id is None for m in loaded} == {True, False}
    for message in loaded:
        generic = serializers.ModelSerializer.to_representation(MessageSerializer(message), message)
        assert MessageSerializer(message).data == generic


def test_list_without_parameters_is_the_defaults_every_time(supervisor):
    for n in range(3):
        open_case(str(9731 + n))
    _k, raw = make_key(created_by=supervisor)
    client = key_client(raw)
    first = client.get("/api/v1/cases/").json()
    assert len(client.get("/api/v1/cases/?page_size=1&ordering=created").json()["results"]) == 1
    assert client.get("/api/v1/cases/").json() == first
    assert client.get("/api/v1/cases/?").json() == first


def test_compiled_query_substitutes_values_and_converts_them(supervisor):
    key, _raw = make_key(created_by=supervisor, scopes=("read",))
    query = CompiledQuery(
        lambda prefix: ApiKey.objects.filter(prefix=prefix).values_list("scopes", "created_at"),
        prefix=str,
    )
    assert query.rows(prefix="nothing") == []
    [(scopes, created_at)] = query.rows(prefix=key.prefix)
    assert scopes == ["read"] and created_at == key.created_at  # JSON and datetime converted


def test_compiled_query_refuses_a_placeholder_the_sql_does_not_take():
    query = CompiledQuery(lambda prefix: ApiKey.objects.values_list("id"), prefix=str)
    with pytest.raises(ValueError, match="prefix"):
        query.rows(prefix="x")


def test_a_key_owner_is_a_whole_user(supervisor):
    """request.user of a key is its owner with every column: nothing read later."""
    from cases.api.auth import _key_with_owner

    _k, raw = make_key(created_by=supervisor)
    key = _key_with_owner(raw)
    assert key.created_by == supervisor and key.owner_is_supervisor is True
    assert key.created_by.get_deferred_fields() == set() and key.get_deferred_fields() == set()
    shell_key, shell_raw = make_key()
    loaded = _key_with_owner(shell_raw)
    assert loaded.pk == shell_key.pk and loaded.created_by is None
    assert _key_with_owner("sada_not-a-key") is None
