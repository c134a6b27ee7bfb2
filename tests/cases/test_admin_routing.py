from django.urls import reverse

from cases.models import RoutingRule


def test_supervisor_tries_a_text_and_sees_which_rules_match(client, supervisor):
    supervisor.is_staff = True
    supervisor.save()
    client.force_login(supervisor)
    response = client.post(
        reverse("admin:cases_routingrule_try"),
        {"text": "@SadaMinistry فيه حريق في المبنى الحين", "followers": 10},
    )
    assert response.status_code == 200
    rows = response.context["rows"]
    matched = [r for r in rows if r["matched"]]
    assert matched and matched[0]["rule"].name.startswith("Emergency")
    assert "keyword:" in matched[0]["reasons"]
    assert any(r["status"].startswith("skipped") for r in rows)


def test_supervisor_edits_rules_in_arabic_admin(client, supervisor):
    supervisor.is_staff = True
    supervisor.save()
    client.force_login(supervisor)
    rule = RoutingRule.objects.get(name="Praise")
    url = reverse("admin:cases_routingrule_change", args=[rule.pk])
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="ar").status_code == 200


def test_agent_cannot_reach_the_try_tool(client, agent):
    client.force_login(agent)
    response = client.get(reverse("admin:cases_routingrule_try"))
    assert response.status_code in (302, 403)
