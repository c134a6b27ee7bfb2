"""A case may have no customer (a channel that names nobody): its pages still render."""

import pytest

from cases.models import Case, Queue


@pytest.mark.django_db
def test_inbox_and_case_page_render_a_case_without_customer(client, supervisor):
    Case.objects.create(reference="C-2026-999999", queue=Queue.objects.first(), customer=None)
    client.force_login(supervisor)
    inbox = client.get("/")
    assert inbox.status_code == 200
    assert "C-2026-999999" in inbox.content.decode()
    assert client.get("/cases/C-2026-999999/").status_code == 200
