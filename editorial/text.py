"""Texts as a reader sees them, and what changed between two of them."""

import html
import re
from difflib import SequenceMatcher

from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

# Where a block of rich text ends: the text reads on in a new paragraph (or line).
BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|ul|ol)\s*>|<br\s*/?>", re.IGNORECASE)
# Words and the whitespace between them: joined again they give the text back.
PIECE = re.compile(r"\S+|\s+")


def plain_text(value):
    """The text of rich text (or plain text) without markup, one block per line."""
    if not value:
        return ""
    text = html.unescape(strip_tags(BLOCK_END.sub("\n", value)))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def diff_html(before, after, *, context=20):
    """What changed from `before` to `after` (plain texts), word by word: removed words in
    <del>, added ones in <ins>, long unchanged stretches shortened to their ends
    (`context` pieces, words and spaces, either side of a change). Everything
    is escaped."""
    old, new = PIECE.findall(before), PIECE.findall(after)
    out = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = old[i1:i2]
            # Keep the words next to a change: after the one before, before the one after.
            head = words[:context] if index > 0 else []
            tail = words[-context:] if index < len(opcodes) - 1 else []
            if len(opcodes) > 1 and len(words) > len(head) + len(tail) + 1:
                ends = ("".join(head).rstrip(), "…", "".join(tail).lstrip())
                out.append(escape(" ".join(end for end in ends if end)))
            else:
                out.append(escape("".join(words)))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(old[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(new[j1:j2]))}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above
