"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live
server on loopback. One browser for the whole run, a fresh context and page per test.

Nothing is downloaded: the browser is the `chromium` on PATH (never `playwright install`), and
the checkers come from `npm ci` (node_modules/). On a laptop without them the tests skip with
the reason; in CI (CI=true) a missing browser or checker is a failure.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
IN_CI = os.environ.get("CI") == "true"

# The machine has no network: Chromium must not phone home, and only 127.0.0.1 is contacted.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
# axe-core's rule sets for WCAG 2.2 A and AA (target-size is in wcag22aa).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Served by the live server as a same-origin static file in tests only, so the strict CSP
# (script-src 'self') admits it as it is.
AXE_STATIC_PREFIX = "test-tools/axe-core"

# The live server listens on 127.0.0.1, not "localhost" (which may also mean ::1).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


def unavailable(reason):
    """Skip on a laptop; fail in CI, where the browser and checkers must be installed."""
    if IN_CI:
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if not executable:
        unavailable("no chromium on PATH (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    # Playwright's sync API runs an event loop in this thread, which Django takes for async code
    # and refuses ORM calls; the tests are plain synchronous code, so that check is switched off.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Problems:
    """Console errors (a CSP violation is one), uncaught exceptions and requests that left
    loopback, as the page reports them."""

    def __init__(self, page):
        self.items = []
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.items.append(f"uncaught exception: {error}"))
        page.on("request", self.request)

    def console(self, message):
        if message.type == "error":
            self.items.append(f"console error on {message.location.get('url')}: {message.text}")

    def request(self, request):
        if not request.url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            self.items.append(f"request outside loopback: {request.url}")

    def take(self):
        items, self.items = self.items, []
        return items


@pytest.fixture
def axe_served(settings):
    if not (NODE_MODULES / "axe-core" / "axe.min.js").is_file():
        unavailable("axe-core is not installed (run `npm ci`)")
    settings.STATICFILES_DIRS = [
        *settings.STATICFILES_DIRS,
        (AXE_STATIC_PREFIX, NODE_MODULES / "axe-core"),
    ]


@pytest.fixture
def new_page(browser, live_server):
    """Opens pages in fresh browser contexts; at the end, any console error or CSP violation
    that a test did not check for itself fails it."""
    contexts = []

    def open_page(viewport=DESKTOP, **options):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.problems = Problems(page)
        return page

    yield open_page
    leftovers = [
        item for context in contexts for page in context.pages for item in page.problems.take()
    ]
    for context in contexts:
        context.close()
    if leftovers:
        pytest.fail("\n".join(leftovers), pytrace=False)


@pytest.fixture
def page(new_page):
    return new_page()


def visit(page, path):
    """Loads a page, insists on a 200 and on no console errors or CSP violations."""
    response = page.goto(path)
    assert response.status == 200, f"{path}: {response.status}"
    assert_no_problems(page)
    return response


def assert_no_problems(page):
    problems = page.problems.take()
    assert not problems, f"{page.url}:\n" + "\n".join(problems)


def axe_violations(page):
    """axe-core's WCAG 2.2 A/AA violations on the page, one readable line per element."""
    page.add_script_tag(url=f"/static/{AXE_STATIC_PREFIX}/axe.min.js")
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags},
                                      resultTypes: ["violations"]})""",
        AXE_TAGS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        f"{node['target']}: {node.get('failureSummary', '').strip()}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]


def public_pages(language):
    """Every kind of public page in one language, as (name, path)."""
    from priorities.models import PolicyCycle

    with translation.override(language):
        cycle = PolicyCycle.objects.get(slug="2022-2025")
        # The fraud priority: the most objectives, some with their own heading.
        priority = max(cycle.priorities.all(), key=lambda p: p.objectives.count())
        query = {"da": "miljøkriminalitet", "en": "environmental crime"}[language]
        return [
            ("home", reverse("home")),
            ("articles", reverse("articles:list")),
            ("priorities", reverse("priorities:current")),
            ("cycle", cycle.get_absolute_url()),
            ("priority", priority.get_absolute_url()),
            ("steps", reverse("cycle:steps")),
            ("contact", reverse("contact:contact")),
            ("thanks", reverse("contact:thanks")),
            ("privacy", reverse("privacy")),
            ("search", f"{reverse('search')}?q={query}"),
        ]


def tab_to(page, selector, limit=80):
    """Presses Tab until the focused element matches `selector`, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} not reached with {limit} presses of Tab on {page.url}")
