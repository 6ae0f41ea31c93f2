"""Every limit that keeps one busy chat, user or Bot API hiccup from costing anyone else.

One place, so an operator can read what the bot promises under load (README, "When things go
wrong") next to the numbers that make it true.
"""

from __future__ import annotations

# --- updates: chats are handled side by side, each chat's updates in order (bot/tg/chats.py)
MAX_CONCURRENT_UPDATES = 1024
"""Updates in progress or waiting for their chat at once (PTB's semaphore); a busy chat holds
at most CHAT_BACKLOG of them, so a few floods cannot fill it."""
CHAT_BACKLOG = 100
"""Updates of one chat waiting behind the one being answered; more are dropped (and logged):
a chat that floods the bot faster than Telegram lets it answer cannot queue without end."""

# --- users: a sane pace, then one polite "slow down" (bot/tg/chats.py, UserPace)
USER_BURST = 20
"""Messages a user may send at once before the pace applies (a quick series of questions)."""
USER_RATE = 1 / 3
"""Messages per second a user is served beyond the burst (20 a minute): far above a person
asking questions, far below a script. Messages over it are not answered; the first one gets
the "slow down" note, once per flood."""
PACED_USERS_KEPT = 10_000
"""Users whose pace is remembered; users back at a full allowance are forgotten first."""

# --- sending (bot/tg/retry.py)
OVERALL_RATE = 30.0
"""Messages per second to all chats (Telegram's flood limit for a bot)."""
GROUP_RATE = 20
GROUP_PERIOD = 60.0
"""Messages per GROUP_PERIOD seconds to one group (Telegram's limit for groups)."""
NETWORK_RETRIES = 3
NETWORK_BACKOFF = 0.5
"""A send that surely did not arrive (no connection, 5xx) is retried after 0.5, 1 and 2 s."""
RETRY_BUDGET = 5.0
"""Seconds a request may spend on network retries in all; then the error stands."""
RETRY_AFTER_TRIES = 3
MAX_RETRY_AFTER = 60.0
"""A flood limit (429 RetryAfter) pauses only the chat it names, up to this long per wait, at
most RETRY_AFTER_TRIES times; a longer demand is not waited out."""

# --- stopping and crashing (bot/tg/backlog.py)
# STOP_GRACE (a setting, default 8 s): what SIGTERM gives the updates in progress; what is not
# finished by then is handed back (kept in the state file's backlog, handled at the next start),
# so the bot is gone within a container's default 10 s.
BACKLOG_KEPT = 10_000
"""Handled update ids remembered to recognise Telegram resending one (never answered twice)."""
