"""Reply -> Telegram HTML: every text escaped, split into messages of at most 4096 characters."""

from __future__ import annotations

from html import escape

from bot.core.reply import Reply

MAX_MESSAGE = 4096


def to_html(reply: Reply) -> str:
    parts: list[str] = []
    if reply.title:
        parts.append(f"<b>{escape(reply.title)}</b>")
    parts.extend(escape(line) for line in reply.lines)
    if reply.reports:
        parts.append("<b>Reports</b>")
        for rep in reply.reports:
            title = escape(rep.title)
            link = f'<a href="{escape(rep.url, quote=True)}">{title}</a>' if rep.url else title
            by = f" by {escape(rep.author)}" if rep.author else ""
            parts.append(f"• {link}{by} ({escape(rep.site)})")
    if reply.sources:
        links = []
        for n, src in enumerate(reply.sources, 1):
            if src.startswith("http"):
                links.append(f'<a href="{escape(src, quote=True)}">[{n}]</a>')
            else:
                links.append(escape(src))
        parts.append("Sources: " + " ".join(links))
    return "\n".join(parts)


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Chunks of at most ``limit`` characters, cut on line boundaries where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single over-long line: cut it hard
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks
