"""The stored-XSS corpus (tests/security/xss_corpus.py) in real Chromium: pages of the
agents' UI, the supervisor's dashboard, the admin and the public status page load
with every payload stored, and no dialog fires. The browser context bypasses the
Content-Security-Policy on purpose: the escaping alone must hold (the CSP is the
second line, tested in tests/security/test_csp.py)."""

import pytest

from cases import services, sla_services
from cases.models import CannedResponse, Case, Queue
from cases.models_routing import RoutingRule
from social_ingest.parsers import parse_document
from social_ingest.services import pages_ingest
from tests.browser.test_agent_ui import person, sign_in
from tests.factories import page, tweet, user
from tests.security.xss_corpus import MARKERS, PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every element's attributes, looked at by the browser's own parser.
DOM_PROBLEMS = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\s\\x00-\\x1f]/g, '').toLowerCase();
      if (attr.name.startsWith('on')) problems.push(el.tagName + ' ' + attr.name);
      if (['href', 'src', 'action', 'formaction', 'data'].includes(attr.name)
          && value.startsWith('javascript:')) problems.push(el.tagName + ' ' + attr.name);
    }
    if (el.tagName === 'SCRIPT' && /XSS\\d\\d/.test(el.textContent)) problems.push('script');
  }
  return problems;
}"""


def corpus(supervisor) -> list[Case]:
    general = Queue.objects.get(slug="general")
    cases = []
    for i, payload in enumerate(PAYLOADS):
        RoutingRule.objects.create(
            name=f"{payload} #{i}", keywords=f"xsskw{i:02d}", queue=general, order=1 + i
        )
        CannedResponse.objects.create(title=payload[:100], text="{customer_name} " + payload)
        tweet_id, author = str(940000 + i), str(840000 + i)
        post = tweet(tweet_id, f"@SadaMinistry {payload} xsskw{i:02d}", author_id=author)
        post["entities"] = {"hashtags": [{"tag": payload}]}
        doc = page(post, users=[user(author, payload[:100], name=payload)])
        pages_ingest(parse_document(doc), account=None, source="replay")
        case = Case.objects.get(messages__platform_id=tweet_id)
        services.case_add_tags(case=case, tags=[payload], actor=supervisor)
        services.case_add_note(case=case, author=supervisor, text=payload)
        sla_services.case_escalate(case=case, actor=supervisor, reason=payload)
        cases.append(case)
    return cases


def test_no_payload_runs_in_the_browser(live_server, new_page):
    sara = person("sara", "Supervisors", is_staff=True)
    cases = corpus(sara)
    tab = new_page(bypass_csp=True)
    dialogs = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(tab, live_server.url, "sara")
    urls = [
        "/",
        "/supervisor/",
        *(f"/cases/{cases[i].reference}/" for i in (0, 5, 11, 13, 19, 27, 29)),
        "/admin/cases/case/",
        f"/admin/cases/case/{cases[19].pk}/change/",
        "/admin/cases/customer/",
        "/admin/cases/routingrule/",
        "/admin/cases/cannedresponse/",
    ]
    for url in urls:
        tab.goto(live_server.url + url)
        tab.wait_for_load_state("load")
        assert tab.evaluate(DOM_PROBLEMS) == [], url
        # Focus and hover everything once: autofocus/onfocus/onmouseover payloads.
        tab.keyboard.press("Tab")
        tab.mouse.move(200, 300)
    body = tab.goto(live_server.url + "/").text()
    assert all(m in body for m in MARKERS[:5])  # the payloads are there, as text
    from cases.public_services import status_link_create

    _link, token = status_link_create(case=cases[0], actor=sara)
    anonymous = new_page(bypass_csp=True)
    anonymous.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    anonymous.goto(f"{live_server.url}/s/{token}/")
    assert anonymous.evaluate(DOM_PROBLEMS) == []
    tab.wait_for_timeout(300)
    assert dialogs == []
