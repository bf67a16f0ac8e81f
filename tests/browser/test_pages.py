"""Every public page, in both languages, on a phone and a desktop, as a browser shows it: no
WCAG 2.2 A/AA violations (axe-core), valid HTML (the Nu Html Checker), no sideways scrolling,
readable text, every link reachable with the keyboard and visibly focused, no console errors or
CSP violations."""

import json
import re
import shutil
import subprocess

import pytest

from .conftest import (
    DESKTOP,
    NODE_MODULES,
    PHONE,
    assert_no_problems,
    axe_violations,
    public_pages,
    unavailable,
    visit,
)

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
LANGUAGES = pytest.mark.parametrize("language", ["da", "en"])

# Small print (dates, notes, captions, the table of contents) may be smaller than body text, but
# no text is under 12 px as drawn, Lighthouse's limit for legible text; SVG text counts at the
# size it is drawn at, after the diagram is scaled to the screen.
SMALL_PRINT = (
    ".toc, .article__meta, .card__meta, .article__credits, .cycle-status, .breadcrumbs, "
    ".form-note, .field__help, .helptext, figcaption, .tag, .page-header__kicker"
)
LAYOUT = """smallPrint => {
  const shown = element => element.getClientRects().length > 0
    && getComputedStyle(element).visibility !== "hidden";
  const drawnSize = element => parseFloat(getComputedStyle(element).fontSize)
    * (element instanceof SVGGraphicsElement ? element.getScreenCTM().a : 1);
  const describe = element =>
    `${element.textContent.trim().slice(0, 50)} (${drawnSize(element).toFixed(1)}px)`;
  const bodyText = [...document.querySelectorAll("main p, main li")]
    .filter(element => shown(element) && !element.closest(smallPrint));
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    if (walker.currentNode.data.trim() && shown(element)) texts.push(element);
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    width: window.innerWidth,
    bodyFont: parseFloat(getComputedStyle(document.body).fontSize),
    smallBodyText: bodyText.filter(element => drawnSize(element) < 16).map(describe),
    tinyText: texts.filter(element => drawnSize(element) < 12).map(describe),
  };
}"""


def layout_problems(page):
    layout = page.evaluate(LAYOUT, SMALL_PRINT)
    problems = []
    if layout["scrollWidth"] > layout["width"]:
        problems.append(f"scrolls sideways: {layout['scrollWidth']} px > {layout['width']} px")
    if layout["bodyFont"] < 16:
        problems.append(f"body text is {layout['bodyFont']} px")
    problems += [f"body text under 16 px: {text}" for text in layout["smallBodyText"]]
    problems += [f"text under 12 px: {text}" for text in layout["tinyText"]]
    return problems


def submit_empty_contact_form(page):
    """The contact form in its error state: sent empty (the form has novalidate)."""
    with page.expect_navigation() as navigation:
        page.locator(".contact-form button[type=submit]").click()
    response = navigation.value
    assert response.status == 200
    assert page.locator(".error-summary").is_visible()
    assert_no_problems(page)
    return response


def report(found):
    problems = {name: lines for name, lines in found.items() if lines}
    return "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in problems.items())


@VIEWPORTS
@LANGUAGES
def test_every_public_page_passes_axe_and_fits_the_screen(
    new_page, content, axe_served, language, viewport
):
    page = new_page(viewport=viewport)
    found = {}
    for name, path in public_pages(language):
        visit(page, path)
        found[name] = [f"axe: {line}" for line in axe_violations(page)] + layout_problems(page)
        if name == "contact":
            submit_empty_contact_form(page)
            found["contact with errors"] = [f"axe: {line}" for line in axe_violations(page)]
            found["contact with errors"] += layout_problems(page)

    assert len(found) == 11
    assert not report(found), report(found)


def test_every_public_page_is_valid_html(new_page, content, tmp_path):
    vnu = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
    java = shutil.which("java")
    if not vnu.is_file():
        unavailable("the Nu Html Checker is not installed (run `npm ci`)")
    if not java:
        unavailable("no java on PATH for the Nu Html Checker (Debian: default-jre-headless)")
    page = new_page()
    for language in ["da", "en"]:
        for name, path in public_pages(language):
            # The HTML as the server sent it, not as the browser serialises its DOM.
            (tmp_path / f"{language}-{name}.html").write_bytes(visit(page, path).body())
            if name == "contact":
                response = submit_empty_contact_form(page)
                (tmp_path / f"{language}-contact-errors.html").write_bytes(response.body())
    files = sorted(tmp_path.glob("*.html"))
    assert len(files) == 22

    # One run over every page: Java starts once.
    result = subprocess.run(
        [java, "-jar", vnu, "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [
        f"{message['url'].rsplit('/', 1)[-1]}:{message.get('lastLine')}: {message['message']} "
        f"({message.get('extract', '').strip()[:80]})"
        for message in messages
        if message["type"] == "error" or message.get("subType") == "fatal"
    ]
    assert not errors, "\n".join(errors)


TAB_STOP = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  const label = (element.textContent || element.name || "").trim().slice(0, 40);
  return {
    link: element.dataset.link ?? null,
    name: `${element.tagName.toLowerCase()} "${label}"`,
    focusVisible: element.matches(":focus-visible") && style.outlineStyle !== "none"
      && parseFloat(style.outlineWidth) >= 2,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < innerHeight && box.left < innerWidth,
  };
}"""
VISIBLE_LINKS = """() => {
  const links = [...document.querySelectorAll("a[href]")];
  links.forEach((link, i) => { link.dataset.link = i; });
  return links
    .filter(link => link.getClientRects().length > 0
      && getComputedStyle(link).visibility !== "hidden")
    .map(link => link.dataset.link);
}"""


def keyboard_problems(page):
    """Tabs through the whole page: every visible link is reached, and every element that gets
    the focus shows it (the outline of :focus-visible) on screen."""
    links = set(page.evaluate(VISIBLE_LINKS))
    reached, problems = set(), []
    for _ in range(400):
        page.keyboard.press("Tab")
        stop = page.evaluate(TAB_STOP)
        if stop is None or stop["link"] in reached:
            break  # past the last element, focus leaves the page (or starts over)
        if stop["link"] is not None:
            reached.add(stop["link"])
        if not stop["focusVisible"]:
            problems.append(f"focus not visible on {stop['name']}")
        if not stop["onScreen"]:
            problems.append(f"focused but off screen: {stop['name']}")
    names = page.evaluate(
        "keys => keys.map(k => document.querySelector(`[data-link='${k}']`).textContent.trim())",
        sorted(links - reached),
    )
    return problems + [f"link not reached with Tab: {name}" for name in names]


# The two languages share every template: one on a phone, the other on a desktop.
@pytest.mark.parametrize(
    "language, viewport", [("da", PHONE), ("en", DESKTOP)], ids=["da-phone", "en-desktop"]
)
def test_the_keyboard_reaches_every_link_and_focus_is_always_visible(
    new_page, content, language, viewport
):
    # Without smooth scrolling (the site turns it off for reduced motion), a focused element is
    # on screen at once, so the check need not wait for the scroll.
    page = new_page(viewport=viewport, reduced_motion="reduce")
    found = {}
    for name, path in public_pages(language):
        visit(page, path)
        found[name] = keyboard_problems(page)
        if name == "contact":
            submit_empty_contact_form(page)
            found["contact with errors"] = keyboard_problems(page)

    assert not report(found), report(found)


def test_the_language_switcher_and_the_cycle_diagram_have_accessible_names(new_page, content):
    from playwright.sync_api import expect

    page = new_page(viewport=PHONE)
    for language, switcher_name, other_language, diagram_name in [
        ("da", "Sprog", "English", "EMPACT-cyklussen Trin 1: .* Trin 4: .* forfra\\."),
        ("en", "Language", "Dansk", "The EMPACT cycle Step 1: .* Step 4: .* starts again\\."),
    ]:
        page.set_viewport_size(PHONE)
        visit(page, f"/{language}/")

        switcher = page.get_by_role("navigation", name=switcher_name, exact=True)
        expect(switcher).to_be_visible()
        expect(switcher.get_by_role("link")).to_have_accessible_name(other_language)
        # Its name is the title and the steps (aria-labelledby names both the <title> and the
        # <desc>, for screen readers that ignore descriptions); one drawing is shown, and so
        # named, at a time.
        diagram = page.get_by_role("img", name=re.compile(f"^{diagram_name}$"))
        expect(diagram).to_have_count(1)
        page.set_viewport_size(DESKTOP)
        expect(diagram).to_have_count(1)


DIAGRAM_TEXT = """() => [...document.querySelectorAll(".diagram__svg text tspan")]
  .filter(tspan => tspan.getClientRects().length > 0)
  .map(tspan => parseFloat(getComputedStyle(tspan).fontSize) * tspan.getScreenCTM().a)"""


def test_the_cycle_diagram_text_is_readable_without_zoom_at_every_width(new_page, content):
    page = new_page()
    visit(page, "/en/cycle/")
    for width, drawing, smallest in [
        (320, "column", 14),
        (375, "column", 16),
        (703, "column", 16),
        (704, "ring", 13.9),  # from 44rem the text column is 42rem wide
        (1280, "ring", 13.9),
    ]:
        page.set_viewport_size({"width": width, "height": 800})
        shown = page.locator(".diagram__svg:visible")
        assert shown.count() == 1
        assert f"diagram__svg--{drawing}" in shown.get_attribute("class"), width
        sizes = page.evaluate(DIAGRAM_TEXT)
        assert len(sizes) >= 8  # "Step n" and a label for each of the four steps
        assert min(sizes) >= smallest, (width, sizes)
        box = shown.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width

    # On paper, the ring, however narrow the page.
    page.set_viewport_size(PHONE)
    page.emulate_media(media="print")
    assert "diagram__svg--ring" in page.locator(".diagram__svg:visible").get_attribute("class")


def test_a_csp_violation_or_a_console_error_fails_a_browser_test(page, content):
    visit(page, "/en/contact/")

    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.head.append(script);
          console.error("something broke");
        }"""
    )

    problems = page.problems.take()
    assert any("Content Security Policy" in problem for problem in problems), problems
    assert any("something broke" in problem for problem in problems), problems
    assert page.evaluate("window.injected") is None
