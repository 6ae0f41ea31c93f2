"""Reply -> Telegram HTML: every text escaped, split into messages of at most 4096 characters."""

from __future__ import annotations

import re
from html import escape as _html_escape
from urllib.parse import urlparse

from bot.core.i18n import catalogue
from bot.core.reply import Reply, unlinked_note

MAX_MESSAGE = 4096


def escape(text: str, quote: bool = False) -> str:
    """Escape for Telegram HTML; quotes only inside attributes, so "don't" stays readable."""
    return _html_escape(text, quote=quote)


def to_html(reply: Reply) -> str:
    """The reply as Telegram HTML, its labels in the reply's language."""
    tr = catalogue(reply.lang)
    parts: list[str] = []
    if reply.title:
        parts.append(f"<b>{escape(reply.title)}</b>")
    parts.extend(escape(line) for line in reply.lines)
    if reply.reports:
        parts.append(f"<b>{escape(tr('answers.labels.reports_heading'))}</b>")
        for rep in reply.reports:
            title = escape(rep.title)
            link = f'<a href="{escape(rep.url, quote=True)}">{title}</a>' if rep.url else title
            by = escape(rep.credits(tr))
            parts.append(f"• {link}{by} ({escape(rep.site)})")
        unlinked = unlinked_note(reply.reports, tr)
        if unlinked:
            parts.append(f"<i>{escape(unlinked)}</i>")
    if reply.sources:
        key = "answers.labels.source" if len(reply.sources) == 1 else "answers.labels.sources"
        links = " · ".join(source_link(src) for src in reply.sources)
        parts.append(escape(tr(key, sources="\x00")).replace("\x00", links))
    return "\n".join(parts)


def source_link(source: str) -> str:
    """A source as a link named by its site: readers judge a source by where it comes from."""
    if not source.startswith("http"):
        return escape(source)
    host = urlparse(source).netloc.lower().removeprefix("www.").removeprefix("m.")
    site = host.replace(".m.", ".") or source  # en.m.wikipedia.org is en.wikipedia.org
    return f'<a href="{escape(source, quote=True)}">{escape(site)}</a>'


TOKEN_RE = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^<>]*>|&[#\w]{1,10};|[^<&]+|[<&]")


def _tokens(line: str) -> list[tuple[str, str, bool]]:
    """(text, tag name or "", closing) per tag, entity or run of text: the uncuttable units."""
    out: list[tuple[str, str, bool]] = []
    for match in TOKEN_RE.finditer(line):
        if match.group(2):
            out.append((match.group(0), match.group(2).lower(), match.group(1) == "/"))
        elif match.group(0).startswith(("&", "<")):
            out.append((match.group(0), "", False))
        else:
            out.extend((char, "", False) for char in match.group(0))
    return out


def cut_line(line: str, limit: int) -> list[str]:
    """An over-long line in pieces of at most ``limit``, never inside a tag, an entity or an
    element: a piece closes the tags still open and the next one opens them again, so each
    is valid HTML on its own (a 5,000-character link made every answer citing it fail). A
    tag too long to fit any piece (a runaway link) is left out, its text kept."""
    pieces: list[str] = []
    opened: list[tuple[str, str]] = []  # (name, opening tag)
    current = ""
    dropped: list[str] = []

    def closing() -> str:
        return "".join(f"</{name}>" for name, _ in reversed(opened))

    for text, name, is_closing in _tokens(line):
        if name and is_closing:
            if dropped and dropped[-1] == name:
                dropped.pop()
                continue
            if opened and opened[-1][0] == name:
                opened.pop()
            current += text
            continue
        if name and len(text) + len(closing()) + len(name) + 3 > limit // 2:
            dropped.append(name)  # a tag this long would not leave room for its text
            continue
        extra = len(f"</{name}>") if name else 0
        if len(current) + len(text) + extra + len(closing()) > limit:
            pieces.append(current + closing())
            current = "".join(tag for _, tag in opened)
        current += text
        if name:
            opened.append((name, text))
    if current:
        pieces.append(current + closing())
    return pieces


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Chunks of at most ``limit`` characters, cut on line boundaries where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        if len(line) > limit:  # a single over-long line: cut it, but never inside HTML
            if current:
                chunks.append(current)
                current = ""
            *whole, line = cut_line(line, limit) or [""]
            chunks.extend(whole)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks
