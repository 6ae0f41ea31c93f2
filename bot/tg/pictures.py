"""Sending a reply that comes with a picture (a route map, a chart) as one photo message.

The reply's text becomes the photo's caption (at most 1,024 characters, cut on a line), with
the reply's buttons. A picture Telegram already has is re-sent by its ``file_id``; otherwise
its PNG comes from the picture cache or is drawn in a worker thread, so other chats keep being
answered meanwhile, and uploaded once. When the picture cannot be drawn the caller sends the
text answer instead, and the failure is logged.
"""

from __future__ import annotations

import asyncio
import html
import logging
from dataclasses import dataclass, field, replace

from telegram import InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core.i18n import t, using
from bot.core.model import Knowledge
from bot.core.picturestore import PictureCache, PictureIds
from bot.core.reply import Picture, Reply

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024  # Telegram's limit for a photo's caption
ELLIPSIS = "…"


@dataclass
class Pictures:
    """What sending pictures needs: the PNG cache, the file ids, and one drawing at a time.

    Pictures are drawn rarely (once per knowledge version) and each drawing takes a core for a
    moment: drawings queue behind one lock, in a worker thread, while the event loop keeps
    answering everyone else; a chat that waited for the same picture then finds it in the
    cache instead of drawing it twice.
    """

    cache: PictureCache
    ids: PictureIds
    _drawing: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def png(self, knowledge: Knowledge, picture: Picture) -> bytes:
        """The PNG, from the cache or drawn off the event loop."""
        async with self._drawing:
            return await asyncio.to_thread(self.cache.png, knowledge, picture)


def without_picture(reply: Reply) -> Reply:
    """The text answer sent when the picture could not be drawn, saying so."""
    with using(reply.lang):
        note = t("pictures.failed")
    return replace(reply, picture=None, lines=(*reply.lines, note))


def caption_of(reply: Reply) -> str:
    """The reply's text as HTML, cut on a line so that it fits a caption; the title in bold."""
    lines = reply.text.split("\n")
    parts: list[str] = []
    used = 0
    for n, line in enumerate(lines):
        escaped = html.escape(line, quote=False)
        if n == 0 and reply.title:
            escaped = f"<b>{escaped}</b>"
        extra = len(escaped) + (1 if parts else 0)
        room = CAPTION_LIMIT - used - (0 if n == len(lines) - 1 else len(ELLIPSIS) + 1)
        if extra > room:
            if not parts:  # one line longer than a caption: cut it by characters
                parts.append(_cut(line, CAPTION_LIMIT - len(ELLIPSIS)) + ELLIPSIS)
            else:
                parts.append(ELLIPSIS)
            break
        parts.append(escaped)
        used += extra
    return "\n".join(parts)


def _cut(line: str, limit: int) -> str:
    """The longest start of ``line`` whose escaped form fits ``limit``."""
    text = line[:limit]
    while len(html.escape(text, quote=False)) > limit:
        text = text[: -max(1, len(html.escape(text, quote=False)) - limit)]
    return html.escape(text, quote=False)


async def send_picture(
    context: ContextTypes.DEFAULT_TYPE,
    pictures: Pictures,
    knowledge: Knowledge,
    reply: Reply,
    markup: InlineKeyboardMarkup | None,
    chat_id: int,
    quote: Message | None = None,
) -> Message | None:
    """Send the reply as a photo; None when its picture could not be drawn (logged)."""
    picture = reply.picture
    assert picture is not None
    caption = caption_of(reply)
    known = pictures.ids.get(picture)
    if known is not None:
        try:
            return await _send(context, chat_id, known, caption, markup, quote)
        except BadRequest as err:  # the id expired or belongs to another bot: upload again
            log.info("file id of %s refused (%s); uploading it again", picture.key, err)
            await pictures.ids.forget(picture)
    try:
        png = await pictures.png(knowledge, picture)
    except Exception:  # any drawing failure: the text answer goes instead
        log.exception("could not draw picture %s; sending the text answer", picture.key)
        return None
    photo = InputFile(png, filename=f"{picture.key}.png")
    sent = await _send(context, chat_id, photo, caption, markup, quote)
    if sent.photo:
        await pictures.ids.remember(picture, sent.photo[-1].file_id)
    return sent


async def _send(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    photo: str | InputFile,
    caption: str,
    markup: InlineKeyboardMarkup | None,
    quote: Message | None,
) -> Message:
    if quote is not None:
        return await quote.reply_photo(
            photo, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup, do_quote=True
        )
    return await context.bot.send_photo(
        chat_id, photo, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup
    )
