"""Rich text is stored sanitised: whatever reaches the database from the admin, the loader or a
form can only contain the markup below, so templates may render it without escaping."""

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "em", "h2", "h3", "h4", "i", "li", "ol", "p", "span",
    "strong", "sub", "sup", "ul",
}  # fmt: skip
# "*": allowed on every tag; only lang, which marks a phrase in the other language.
ALLOWED_ATTRIBUTES = {"*": {"lang"}, "a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_html(value):
    """Return value with scripts, event handlers, style attributes and unsafe links removed."""
    if not value:
        return value
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        # No target attribute is allowed, so links cannot open a window that needs rel=noopener.
        link_rel=None,
        strip_comments=True,
    ).strip()
