"""Commands typed without their slash: a newcomer types "help" (or "aiuto") and means /help.

Only the whole message counts ("help" alone, "help?"), so a question that merely contains the
word ("help me find the 1955 winner") is still a question. The words are data, one list per
language (``commands.bare_help``); the language of the word is the reply's when the user's
own language is not known.
"""

from __future__ import annotations

from bot.core.i18n import LANGUAGES, catalogue
from bot.core.text import normalise


def bare_command(text: str) -> tuple[str, str] | None:
    """``("/help", language)`` when ``text`` is a bare help word, else None."""
    word = normalise(text)
    for lang in LANGUAGES:
        if word in catalogue(lang).words("commands.bare_help"):
            return "/help", lang
    return None
