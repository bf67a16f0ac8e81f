"""A mail server that hangs or drips, with the site served by gunicorn as in production and the
mail worker running beside it: visitors never wait for it, other pages keep their speed."""

import http.client
import io
import re
import statistics
import threading
import time
import urllib.parse
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from contact.models import Message
from tests.conftest import DrippingSMTPServer, database_url
from tests.contact.test_delivery import start_worker, stop_worker, wait_for
from tests.servers import Site

CONTACT_TIMEOUT = 2  # EMAIL_TIMEOUT of the worker (start_worker)


def contact_post(port):
    """(status, seconds) of one complete contact form submission, with its CSRF cookie."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        client.request("GET", "/da/kontakt/")
        response = client.getresponse()
        html = response.read().decode()
        cookie = re.search(r"csrftoken=[^;]+", response.headers["Set-Cookie"]).group(0)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "name": "Mette Jensen",
                "email": "mette@example.dk",
                "message": "Vi vil gerne høre mere.",
                "consent": "on",
                "token": str(uuid.uuid4()),
            }
        )
        started = time.monotonic()
        client.request(
            "POST",
            "/da/kontakt/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        response = client.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        client.close()


@pytest.fixture
def mail_server(request):
    """A mail server that never finishes a conversation: silent, or one byte at a time."""
    if request.param == "hanging":
        import socket

        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]
        listener.close()
    else:
        server = DrippingSMTPServer(interval=0.5)
        yield server.port
        server.stop()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mail_server", ["hanging", "dripping"], indirect=True)
def test_a_stuck_mail_server_holds_no_visitor_and_slows_no_page(mail_server, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the site and the worker share the test database (PostgreSQL)")
    call_command("load_empact_content", stdout=io.StringIO())
    site = Site(database_url(), tmp_path)
    worker = start_worker(tmp_path, mail_server)
    try:
        assert site.get("/da/")[0] == 200
        posts = []
        threads = [
            threading.Thread(target=lambda: posts.append(contact_post(site.port))) for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        pages = []
        # The worker is stuck on the mail server (or gives up and tries again) meanwhile.
        until = time.monotonic() + 2 * CONTACT_TIMEOUT
        while time.monotonic() < until:
            status, _body, seconds, _headers = site.get("/da/", timeout=5)
            assert status == 200
            pages.append(seconds)
        for thread in threads:
            thread.join()
        assert wait_for(lambda: Message.objects.filter(attempts__gt=0).exists(), 10)
    finally:
        stop_worker(worker)
        site.stop()

    assert [status for status, _seconds in posts] == [303] * 4
    assert max(seconds for _status, seconds in posts) < CONTACT_TIMEOUT
    p99 = statistics.quantiles(pages, n=100)[98]
    print(
        f"GET /da/ p99 {p99 * 1000:.1f} ms over {len(pages)} requests; contact posts "
        f"{max(seconds for _status, seconds in posts) * 1000:.0f} ms at most"
    )
    assert p99 < 1
    assert Message.objects.count() == 4
    assert not Message.objects.filter(delivery=Message.Delivery.SENT).exists()
    assert Message.objects.filter(server_was_down=True).exists()
