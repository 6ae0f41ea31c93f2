"""How a leg of an edition (one day of its route) is written in a reply, in one place.

Race-day answers (``raceday.py``) and the daily reminders (``reminders.py``) both name a day's
leg; they share these words so a subscriber and a user asking read the same sentence.
"""

from __future__ import annotations

from bot.core.i18n import t
from bot.core.model import Leg
from bot.core.text import normalise


def leg_text(leg: Leg) -> str:
    """'from Brescia via Lumezzane, Garda to Padova' in the current language."""
    via = ", ".join(leg.via)
    if leg.start and via:
        return t("raceday.leg.from_via_to", start=leg.start, via=via, to=leg.to)
    if leg.start:
        return t("raceday.leg.from_to", start=leg.start, to=leg.to)
    if via:
        return t("raceday.leg.via_to", via=via, to=leg.to)
    return t("raceday.leg.to", to=leg.to)


def town_keys(name: str) -> set[str]:
    """The spellings a town is matched by: 'Versilia/Pietrasanta' is Versilia and Pietrasanta."""
    return {normalise(part).strip() for part in name.split("/") if part.strip()}
