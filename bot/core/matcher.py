"""A light stemmer shared by the question and the knowledge's texts, so both fold alike."""

from __future__ import annotations


def stem(token: str) -> str:
    """A light English/Italian plural fold so 'winners' meets 'winner' and 'cars' meets 'car'."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token
