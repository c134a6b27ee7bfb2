"""The inbox row rendered in Python (`{% inbox_row %}`) is the markup the row
template used to produce, byte for byte, in both languages."""

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from cases import services
from cases.models import Case
from cases.selectors_ui import InboxQuery, inbox_page
from tests.cases.api.conftest import open_case

# The former templates/cases/_inbox_rows.html row, kept as the reference.
TEMPLATE_ROW = """{% load i18n sada %}{% for case in rows %}
<tr id="row-{{ case.reference }}" class="row row-{{ case.priority }} sla-row-{{ case.sla_state }}" data-ref="{{ case.reference }}" data-href="{% url 'case_detail' case.reference %}" data-version="{{ case.version }}">
  <td class="pick"><input type="checkbox" name="refs" value="{{ case.reference }}" form="bulk" aria-label="{% blocktranslate with ref=case.reference %}Select {{ ref }}{% endblocktranslate %}"></td>
  <td><span class="prio prio-{{ case.priority }}" title="{{ case.get_priority_display }}">{{ case.priority }}</span></td>
  <td>{% countdown case now %}</td>
  <td class="who">
    <a class="case-link" href="{% url 'case_detail' case.reference %}">
      <bdi class="name" dir="auto">{% firstof case.customer.name case.customer.handle "—" %}</bdi>
    </a>
    <span class="sub">{% if case.customer.handle %}<bdi class="handle" dir="ltr">@{{ case.customer.handle }}</bdi> · {% endif %}<bdi class="ref" dir="ltr">{{ case.reference }}</bdi></span>
  </td>
  <td class="col-text">
    <span class="first-line" dir="{{ case.first_text|text_dir }}">{{ case.first_text|default:""|tweet_text }}</span>
    {% if case.tags %}<span class="tags">{% for tag in case.tags %}<bdi class="tag" dir="auto">{{ tag }}</bdi>{% endfor %}</span>{% endif %}
    {% if case.status != "new" and case.status != "open" %}<span class="status status-{{ case.status }}">{{ case.get_status_display }}</span>{% endif %}
  </td>
  <td class="queue">{{ case.queue }}</td>
  <td class="assignee">{% if case.assignee %}<bdi>{{ case.assignee }}</bdi>{% else %}<span class="muted">{% translate "unassigned" %}</span>{% endif %}</td>
  <td class="age">{% when case.created_at %}</td>
</tr>
{% endfor %}"""

PYTHON_ROW = "{% load sada %}{% for case in rows %}\n{% inbox_row case now %}\n{% endfor %}"


@pytest.mark.parametrize("language", ["ar", "en"])
def test_python_row_is_the_template_row(supervisor, agent, language):
    open_case("9901", text='@SadaMinistry انقطاع الكهرباء <b>منذ</b> الصباح & "اليوم"')
    assigned = open_case("9902", author_id="902", text="Power cut since 8am https://t.co/x")
    services.case_assign(case=assigned, assignee=agent, actor=supervisor)
    pending = open_case("9903", author_id="903")
    Case.objects.filter(pk=pending.pk).update(status=Case.Status.PENDING, tags=["كهرباء", "<x>"])
    now = timezone.now()
    rows = inbox_page(supervisor, InboxQuery(), now=now, is_supervisor=True).rows
    assert len(rows) == 3 and any(r.assignee for r in rows) and any(r.tags for r in rows)
    context = {"rows": rows, "now": now}
    with translation.override(language):
        expected = Template(TEMPLATE_ROW).render(Context(context))
        rendered = Template(PYTHON_ROW).render(Context(context))
    assert rendered == expected
