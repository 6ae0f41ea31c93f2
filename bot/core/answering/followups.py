"""Follow-up suggestions (issue 11): up to three buttons for natural next questions.

After "who won in 1955?" a fan goes on with "who was Denis Jenkinson?" or "and in 1956?"; after
"who was Stirling Moss?" with the race he won; after "what is the California Mille?" with its
next or its past editions. Each suggestion is a ``Button`` whose ``ask`` is a self-contained
question or command (never "and in 1956?"), so a tap means the same in every front end, in any
conversation and after a restart. Labels are in the reply's language (``locales/*/followups``).

Only what the knowledge can answer is offered (a winner the bot knows, a next edition with the
same kind of data), and nothing an edition's tab bar offers already (Card, Winners, Route,
Reports, Map): a whole edition card gets none, its tabs are its next steps. Replies that are not
plain answers, or carry suggestions of their own, are left as they are.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.answering.conversation import Context
from bot.core.answering.view import View
from bot.core.i18n import t
from bot.core.model import Edition, Event
from bot.core.reply import Button, Kind, Reply
from bot.core.tabs import edition_ask

MAX_FOLLOWUPS = 3  # buttons under one answer (the issue: "up to three")
PEOPLE_SHOWN = 2  # of them, at most this many "Who was ...?" (driver and co-driver)
# What an edition's follow-up asks again about the next edition: the ``/edition`` view word.
VIEW_OF_INTENT = {
    "winner": "winners",
    "car": "winners",
    "driver": "winners",
    "co_driver": "winners",
    "route": "route",
}


def with_followups(view: View, reply: Reply, context: Context) -> Reply:
    """``reply`` with its follow-up suggestions added as buttons (after its own)."""
    if reply.kind is not Kind.ANSWER or reply.suggestions or reply.picture is not None:
        return reply
    if context.idle:  # small talk kept an older subject: this reply is not about it
        return reply
    offered = suggestions(view, reply, context)
    shown = {b.ask for b in reply.buttons}
    fresh = [b for b in offered if b.ask not in shown][:MAX_FOLLOWUPS]
    return replace(reply, buttons=reply.buttons + tuple(fresh)) if fresh else reply


def suggestions(view: View, reply: Reply, context: Context) -> list[Button]:
    """The next questions about the subject of ``reply``, best first."""
    if reply.edition:
        ed = view.edition_at.get(reply.edition)
        event = view.events.get(ed.event) if ed is not None else None
        if ed is None or event is None or not context.intents:
            return []  # the whole card: its tabs are the next steps
        return [*_people_of(view, ed, context), *_next_edition(view, event, ed, context)]
    if reply.topic == "person" and context.people:
        return _races_of(view, context.people[0])
    if len(context.events) == 1 and not context.years and context.events[0] in view.events:
        return _event_steps(view, view.events[context.events[0]], reply.topic)
    return []


def _who_was(name: str) -> Button:
    question = t("followups.who_was", name=name)
    return Button(question, question, followup=True)


def _people_of(view: View, ed: Edition, context: Context) -> list[Button]:
    """ "Who was Denis Jenkinson?": the edition's winners the bot can say more about."""
    known = [name for name in view.edition_people.get(ed.key, ()) if name in view.wins]
    return [_who_was(name) for name in known[:PEOPLE_SHOWN]]


def _next_edition(view: View, event: Event, ed: Edition, context: Context) -> list[Button]:
    """ "And in 1956?": the same question about the event's next edition that can answer it."""
    word = next((VIEW_OF_INTENT[i] for i in context.intents if i in VIEW_OF_INTENT), "")
    for later in view.editions.get(event.id, []):
        if later.year > ed.year and _can_show(later, word):
            return [
                Button(
                    t("followups.and_in", year=later.year),
                    edition_ask(event, later, word),
                    followup=True,
                )
            ]
    return []


def _can_show(ed: Edition, word: str) -> bool:
    if word == "winners":
        return bool(ed.winners)
    if word == "route":
        return bool(ed.route or ed.route_note)
    return True


def _races_of(view: View, name: str) -> list[Button]:
    """After "who was Stirling Moss?": the races he won, and who won them with him."""
    buttons: list[Button] = []
    mates: list[str] = []
    for ed, _role in view.wins.get(name, [])[:2]:
        event = view.events.get(ed.event)
        if event is None:
            continue
        label = t("followups.edition", event=event.name, year=ed.year)
        buttons.append(Button(label, edition_ask(event, ed), followup=True))
        mates += [n for n in view.edition_people.get(ed.key, ()) if n != name and n in view.wins]
    buttons += [_who_was(mate) for mate in dict.fromkeys(mates)]
    return buttons


def _event_steps(view: View, event: Event, topic: str) -> list[Button]:
    """After "what is the California Mille?": its latest edition, its next, all of them."""
    buttons: list[Button] = []
    run = [ed for ed in view.editions.get(event.id, []) if ed.winners or ed.route or ed.start]
    if run:
        latest = run[-1]
        label = t("followups.edition", event=event.name, year=latest.year)
        buttons.append(Button(label, edition_ask(event, latest), followup=True))
    if topic != "next":
        buttons.append(Button(t("followups.next"), f"/next {event.id}", followup=True))
    if topic != "editions":
        buttons.append(Button(t("followups.editions"), f"/editions {event.id}", followup=True))
    return buttons
