"""The catalogues: every text exists in every language, with the same placeholders.

A key missing in one language would be a KeyError in the middle of a reply; a placeholder
renamed in one language only would be the same error, or a text with a hole in it.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.core.i18n import LANGUAGES, catalogue, t, using

ROOT = Path(__file__).resolve().parent.parent
KEY_IN_CODE = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_key_exists_in_every_language(lang: str) -> None:
    english, other = catalogue("en"), catalogue(lang)
    assert set(other.texts) == set(english.texts), set(other.texts) ^ set(english.texts)
    assert set(other.lists) == set(english.lists)
    for key, text in english.texts.items():
        assert placeholders(other.texts[key]) == placeholders(text), key
    for key, items in english.lists.items():
        assert len(other.lists[key]) == len(items), key


def test_every_key_the_code_uses_exists() -> None:
    used = set()
    for path in (ROOT / "bot").rglob("*.py"):
        used.update(KEY_IN_CODE.findall(path.read_text(encoding="utf-8")))
    missing = sorted(key for key in used if key not in catalogue("en").texts)
    assert not missing, missing


def test_the_language_follows_the_context_and_falls_back_to_english() -> None:
    with using("it-IT"):
        assert t("answers.empty_question").startswith("Chiedimi")
        with using("fr"):
            assert t("answers.empty_question").startswith("Ask me")
        assert catalogue("it").words("dates.months")[5] == "giugno"
    assert t("answers.empty_question").startswith("Ask me")
