"""Reply -> Telegram HTML: every text escaped, split into messages of at most 4096 characters."""

from __future__ import annotations

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


def safe_cut(line: str, limit: int) -> int:
    """The last position <= limit that is not inside an HTML entity or tag."""
    cut = limit
    amp, lt = line.rfind("&", 0, cut), line.rfind("<", 0, cut)
    if amp > line.rfind(";", 0, cut) and cut - amp <= 10:
        cut = amp
    if lt > line.rfind(">", 0, cut):
        cut = min(cut, lt)
    return cut if cut > 0 else limit


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Chunks of at most ``limit`` characters, cut on line boundaries where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single over-long line: cut it, but not inside &...; or <...>
            if current:
                chunks.append(current)
                current = ""
            cut = safe_cut(line, limit)
            chunks.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks
