"""The site under a database that hangs or vanishes, for real: gunicorn (with gunicorn.conf.py)
serves the test database through a TCP proxy that the test freezes, cuts and restores."""

import io
import statistics
import time
from itertools import count

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, transaction

from contact.models import Message
from core.db_deadline import Outage, database_deadline
from tests.faults import database_url_through
from tests.servers import Site

OUTAGE_TEXT = "Sitet er midlertidigt utilgængeligt"
CACHED_PAGE = "/da/"
unique = count()


def database_page():
    """A page that needs the database on every request: a search nobody made before."""
    return f"/da/soeg/?q=narkotika{next(unique)}"


@pytest.fixture
def site(db_proxy, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the proxy stands in front of PostgreSQL; SQLite has no network link")
    call_command("load_empact_content", stdout=io.StringIO())
    server = Site(database_url_through(db_proxy, connection.settings_dict), tmp_path)
    yield server
    server.stop()


def wait_for_recovery(site, within):
    """Seconds until database pages and /healthz answer 200 again, in every worker (a few at
    once, so that both gunicorn workers answer); asserted to be within `within`."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        threads, results = site.get_all([database_page() for _ in range(6)] + ["/healthz"] * 2)
        for thread in threads:
            thread.join()
        if {result[0] for result in results} == {200}:
            return time.monotonic() - started
        time.sleep(0.2)
    pytest.fail(f"the site did not answer 200 within {within} s of the restore")


def p99(latencies):
    return statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else latencies[0]


@pytest.mark.django_db(transaction=True)
def test_a_frozen_database_gives_503_in_time_while_cached_pages_and_healthz_answer(site, db_proxy):
    assert site.get(CACHED_PAGE)[0] == 200
    assert site.get(CACHED_PAGE)[3].get("X-Page-Cache") == "hit"
    # Every web thread holds an open connection when the link freezes.
    threads, warm = site.get_all([database_page() for _ in range(8)])
    for thread in threads:
        thread.join()
    assert {result[0] for result in warm} == {200}

    db_proxy.freeze()
    # Pages that need the database: searches, the admin login, a page not yet cached.
    stuck_paths = [database_page() for _ in range(4)] + ["/admin/login/", "/da/privatliv/"]
    stuck_threads, stuck = site.get_all(stuck_paths)
    # /healthz gives up after 1 s on an open connection, 2 s (connect_timeout) on a new one.
    health_threads, first_health = site.get_all(["/healthz"])
    time.sleep(0.3)  # they are inside the database now
    cached = []
    while any(thread.is_alive() for thread in stuck_threads):
        status, _body, seconds, _headers = site.get(CACHED_PAGE, timeout=5)
        assert status == 200
        cached.append(seconds)
    health_threads[0].join()
    health = site.get("/healthz")
    # Once the open connections have given up, new ones cannot connect either.
    later_threads, later = site.get_all([database_page() for _ in range(4)])
    for thread in later_threads:
        thread.join()

    for status, body, seconds, _headers in stuck + later:
        assert status == 503, body
        assert OUTAGE_TEXT in body and 'class="site-nav"' in body
        assert seconds < 6
    assert p99(cached) < 0.1, f"cached page p99 {p99(cached):.3f} s over {len(cached)} requests"
    for status, body, seconds, _headers in (*first_health, health):
        assert status == 503 and '"database": "unavailable"' in body
        assert seconds < 2.5

    db_proxy.restore()
    recovered_in = wait_for_recovery(site, within=10)
    print(
        f"frozen: 503 after {max(r[2] for r in stuck):.2f} s (open connections), "
        f"{max(r[2] for r in later):.2f} s (new); cached p99 {p99(cached) * 1000:.1f} ms over "
        f"{len(cached)}; healthz {first_health[0][2]:.2f} s, then {health[2]:.2f} s; "
        f"recovered in {recovered_in:.2f} s"
    )
    assert site.get("/healthz")[0] == 200


@pytest.mark.django_db(transaction=True)
def test_a_cut_database_gives_503_at_once_and_the_site_recovers(site, db_proxy):
    assert site.get(CACHED_PAGE)[0] == 200
    threads, warm = site.get_all([database_page() for _ in range(4)])
    for thread in threads:
        thread.join()
    assert {result[0] for result in warm} == {200}

    db_proxy.cut()
    threads, cut = site.get_all([database_page() for _ in range(4)])
    for thread in threads:
        thread.join()
    health = site.get("/healthz")

    for status, body, seconds, _headers in cut:
        assert status == 503 and OUTAGE_TEXT in body
        assert seconds < 2
    assert health[0] == 503 and health[2] < 2
    assert site.get(CACHED_PAGE)[0] == 200

    db_proxy.restore()
    recovered_in = wait_for_recovery(site, within=10)
    print(f"cut: 503 after {max(r[2] for r in cut):.2f} s; recovered in {recovered_in:.2f} s")
    assert site.get("/healthz")[0] == 200


# The deadline itself, in this process (the mail worker uses it around its own steps).


def test_a_database_deadline_ends_a_query_and_a_commit_the_server_never_answers(through_proxy):
    Message.objects.count()  # connected
    through_proxy.freeze()
    started = time.monotonic()
    with pytest.raises(OperationalError), database_deadline(0.5):
        Message.objects.count()
    query_seconds = time.monotonic() - started

    connection.close()
    through_proxy.restore()
    time.sleep(Outage.RETRY_SECONDS)
    started = time.monotonic()
    with pytest.raises(OperationalError), database_deadline(0.5), transaction.atomic():
        Message.objects.create(name="A", email="a@example.dk", message="x", language="da")
        through_proxy.freeze()
    commit_seconds = time.monotonic() - started

    assert query_seconds < 1.5 and commit_seconds < 1.5


def test_new_connections_fail_at_once_while_the_database_is_known_unreachable(through_proxy):
    through_proxy.freeze()
    with pytest.raises(OperationalError), database_deadline(0.5):
        Message.objects.count()  # connecting: connect_timeout (2 s) ends it
    started = time.monotonic()
    with pytest.raises(OperationalError), database_deadline(0.5):
        Message.objects.count()
    failed_in = time.monotonic() - started

    through_proxy.restore()
    time.sleep(Outage.RETRY_SECONDS)
    with database_deadline(0.5):
        assert Message.objects.count() == 0
    assert failed_in < 0.1


# Bad input is never an outage.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/da/soeg/?q=a%00b", "Forespørgslen kunne ikke forstås"),
        ("/en/search/?q=a%00b", "The request could not be understood"),
        ("/da/soeg/?q=narkotika&page=1%00", "Forespørgslen kunne ikke forstås"),
    ],
)
def test_a_nul_character_in_a_search_is_a_styled_400_not_an_outage(
    client, content, caplog, path, text
):
    response = client.get(path)

    assert response.status_code == 400
    assert text in response.content.decode()
    assert 'class="site-nav"' in response.content.decode()
    assert "Database unavailable" not in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["status=a%00b", "q=a%00b", "delivery=%00", "a%00b=1"])
def test_a_nul_character_in_an_admin_filter_is_a_400_not_an_outage(admin_client, caplog, query):
    response = admin_client.get(f"/admin/contact/message/?{query}")

    assert response.status_code == 400
    assert "Database unavailable" not in caplog.text
    assert admin_client.get("/admin/contact/message/?status=new").status_code == 200


@pytest.mark.django_db
def test_only_a_failed_connection_is_an_outage(rf):
    from django.db import DataError, IntegrityError, InterfaceError, OperationalError

    from core.middleware import DatabaseOutageMiddleware

    middleware = DatabaseOutageMiddleware(lambda request: None)
    request = rf.get("/da/")

    for error in (OperationalError("connection refused"), InterfaceError("connection closed")):
        assert middleware.process_exception(request, error).status_code == 503
    for error in (DataError("NUL"), IntegrityError("duplicate")):
        assert middleware.process_exception(request, error) is None
