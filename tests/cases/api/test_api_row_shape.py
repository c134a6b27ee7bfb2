"""The case row is built by hand (CaseSerializer.to_representation) for speed; it must
say exactly what DRF's generic ModelSerializer output of the same fields says."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import serializers

from cases import services
from cases.api.filters import case_rows
from cases.api.serializers import CaseDetailSerializer, CaseSerializer
from cases.models import Case
from cases.selectors_sla import with_sla_state
from tests.cases.api.conftest import open_case


def _generic(serializer_class, case, **context):
    """DRF's own field-by-field output of the same declared fields."""
    return serializers.ModelSerializer.to_representation(
        serializer_class(case, context=context), case
    )


def test_hand_built_rows_equal_drf_generic_output(agent, supervisor):
    plain = open_case("9801")
    assigned = services.case_assign(
        case=open_case("9802", author_id="802"), assignee=agent, actor=supervisor
    )
    pending = open_case("9803", author_id="803")
    Case.objects.filter(pk=pending.pk).update(
        tags=["وزارة", "x"], priority_reasons=["vip"], status=Case.Status.PENDING
    )
    now = timezone.now()
    rows = list(case_rows(Case.objects.filter(pk__in=[plain.pk, assigned.pk, pending.pk]), now=now))
    assert len(rows) == 3
    for row in rows:
        assert CaseSerializer(row, context={"now": now}).data == _generic(
            CaseSerializer, row, now=now
        )
    detail = rows[0]
    assert CaseDetailSerializer(detail).data == _generic(CaseDetailSerializer, detail)
    assert CaseDetailSerializer(detail).data["messages"]


def test_sla_state_without_annotation_is_the_sql_reading(agent):
    case = open_case("9811")
    for now in (timezone.now(), timezone.now() + timedelta(days=30)):
        annotated = with_sla_state(Case.objects.filter(pk=case.pk), now).get()
        loaded = Case.objects.select_related("queue").get(pk=case.pk)
        shown = CaseSerializer(loaded, context={"now": now}).data["sla_state"]
        assert shown == annotated.sla_state
    assert {annotated.sla_state, shown} == {"breached"}  # a month late: a real check
