"""Sign-in throttling (django-axes): lockout per username and address, a clear page,
lockouts visible to supervisors in the admin."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def axes_on():
    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=LIMIT):
        yield


def _sign_in(client, username, password, ip="10.0.0.1", **headers):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **headers
    )


def test_settings_lock_by_username_and_address_with_axes_backend_first(settings):
    assert settings.AUTHENTICATION_BACKENDS[0].startswith("axes.backends.")
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_failed_sign_ins_lock_the_account_from_that_address(client, agent):
    for _ in range(LIMIT - 1):
        assert _sign_in(client, agent.username, "wrong").status_code == 200
    locked = _sign_in(client, agent.username, "wrong")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Sign-in temporarily locked" in body and "تم إيقاف تسجيل الدخول مؤقتًا" in body
    assert "Content-Security-Policy" in locked.headers
    # Even the right password is refused while locked.
    right = _sign_in(client, agent.username, "pw-" + agent.username)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address, or another username, is not locked.
    assert (
        _sign_in(client, agent.username, "pw-" + agent.username, ip="10.0.0.2").status_code == 302
    )


def test_a_successful_sign_in_before_the_limit_is_not_locked(client, agent):
    for _ in range(LIMIT - 1):
        _sign_in(client, agent.username, "wrong")
    assert _sign_in(client, agent.username, "pw-" + agent.username).status_code == 302


def test_supervisors_see_lockouts_in_the_admin(client, agent, supervisor):
    assert (
        Group.objects.get(name="Supervisors")
        .permissions.filter(content_type__app_label="axes", codename="view_accessattempt")
        .exists()
    )
    for _ in range(LIMIT):
        _sign_in(client, agent.username, "wrong")
    assert AccessAttempt.objects.filter(username=agent.username).exists()
    supervisor.is_staff = True
    supervisor.save()
    client.force_login(supervisor)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 200
    assert agent.username in response.content.decode()


@pytest.mark.parametrize(
    "hops, forwarded, expected",
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxies trusted: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the client sent is not trusted
        (2, "6.6.6.6, 203.0.113.9, 10.1.2.3", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer entries than proxies: not as configured
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_the_address_is_the_one_the_outermost_trusted_proxy_saw(
    rf, settings, hops, forwarded, expected
):
    from helpdesk.client_ip import client_ip

    settings.SADA_TRUSTED_PROXIES = hops
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_a_proxy_a_lockout_holds_the_attacker_not_the_agent(client, agent, settings):
    settings.SADA_TRUSTED_PROXIES = 1
    proxy = "10.9.9.9"  # every request reaches Sada from the proxy
    password = "pw-" + agent.username
    for n in range(LIMIT):  # a different forged address each time: the proxy's entry counts
        forged = f"1.1.1.{n}, 198.51.100.7"
        _sign_in(client, agent.username, "wrong", ip=proxy, HTTP_X_FORWARDED_FOR=forged)
    attacker = _sign_in(
        client, agent.username, password, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert attacker.status_code == 429
    agent_at_work = _sign_in(
        client, agent.username, password, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.20"
    )
    assert agent_at_work.status_code == 302
    assert AccessAttempt.objects.get(username=agent.username).ip_address == "198.51.100.7"
