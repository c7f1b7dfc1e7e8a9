"""Text shaping for ASFF's length limits and for the HTML some tools put in their reports."""

from __future__ import annotations

import html
import re

ELLIPSIS = "\N{HORIZONTAL ELLIPSIS}"
_BLOCK_END = re.compile(r"</p\s*>|<br\s*/?>|</li\s*>", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"']+")


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, on a word boundary, ending in an ellipsis."""
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    # One character beyond the room tells whether the cut already falls between two words.
    head = text[: room + 1]
    boundary = max((index for index, char in enumerate(head) if char.isspace()), default=-1)
    # A single very long word (a URL, a hash) is cut inside rather than dropped.
    cut = head[:boundary] if boundary >= room // 2 else head[:room]
    return cut.rstrip() + ELLIPSIS


def one_line(text: str) -> str:
    return " ".join(text.split())


def plain_text(markup: str) -> str:
    """Paragraph HTML (as ZAP writes it) as plain text, one paragraph per line."""
    with_breaks = _BLOCK_END.sub("\n", markup)
    unescaped = html.unescape(without_tags(with_breaks))
    lines = (one_line(line) for line in unescaped.splitlines())
    return "\n".join(line for line in lines if line)


def without_tags(markup: str) -> str:
    """``markup`` without its ``<...>`` tags, in one pass.

    A regular expression such as ``<[^>]+>`` scans to the end of the text from every ``<`` that
    has no ``>`` after it: quadratic time on text with many of them. Here, once no ``>`` follows,
    the rest is text.
    """
    kept: list[str] = []
    position = 0
    while (start := markup.find("<", position)) >= 0:
        end = markup.find(">", start + 1)
        if end < 0:
            break
        if end == start + 1:  # "<>" is not a tag
            kept.append(markup[position : end + 1])
        else:
            kept.append(markup[position:start])
        position = end + 1
    kept.append(markup[position:])
    return "".join(kept)


def first_url(text: str) -> str | None:
    match = _URL.search(text)
    return match.group(0) if match else None


def paragraphs(*parts: str | None) -> str:
    return "\n\n".join(part for part in parts if part)


def first_line(text: str) -> str:
    return one_line(text.strip().splitlines()[0]) if text.strip() else text
