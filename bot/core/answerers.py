"""The front door: one ``Answerer`` per reply language, each over its language's knowledge.

The answering core stays language-blind: the Italian one is an ordinary ``Answerer`` whose
knowledge is the Italian view (``localise.localised``), built once per load. This front door
only decides, as the core always has (``reply_language``), which of them answers.
"""

from __future__ import annotations

import random
from datetime import datetime

from bot.core.answer import Answerer, conversation_language, reply_language
from bot.core.answering.conversation import Context
from bot.core.i18n import LANGUAGES
from bot.core.localise import localised
from bot.core.model import Knowledge
from bot.core.reply import Reply


class Answerers:
    """Every reply language's Answerer for one loaded knowledge base (swap the whole object)."""

    def __init__(self, knowledge: Knowledge, rng: random.Random | None = None) -> None:
        self.by_lang = {lang: Answerer(localised(knowledge, lang), rng) for lang in LANGUAGES}
        self.english = self.by_lang["en"]

    @property
    def knowledge(self) -> Knowledge:
        """The knowledge as the files say it (English texts): for reloads, reminders, stats."""
        return self.english.knowledge

    def language_of(self, question: str, lang: str | None) -> str:
        """The reply language: Italian for Italian users and Italian questions."""
        text = " ".join(question.split())
        return reply_language(text, lang, self.english.name_words)

    def answerer_for(self, question: str, lang: str | None = None) -> Answerer:
        """The Answerer whose knowledge speaks the reply's language."""
        return self.by_lang[self.language_of(question, lang)]

    def answer(
        self,
        question: str,
        now: datetime,
        lang: str | None = None,
        context: Context | None = None,
    ) -> Reply:
        lang = conversation_language(question, lang, context)
        reply_lang = self.language_of(question, lang)
        return self.by_lang[reply_lang].answer(question, now, lang, context)
