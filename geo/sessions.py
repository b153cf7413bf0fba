"""Logged-in sessions of the marking app, kept in the store so that logging out ends them.

The session cookie is signed (Starlette's ``SessionMiddleware``) and holds the account's
name; on its own such a cookie stays valid until it expires, so a copy of it (a shared
phone's browser, a cookie read off a machine) would still log in after **Logga ut**. Each
login therefore gets a random session id, kept in the cookie, and its SHA-256 in the
``web_sessions`` table: a request counts as logged in only while that row exists. Logging
out removes the row, and giving an account a new password (``geo users add`` with its name)
removes all of its rows. Only hashes are stored, so a copy of the store logs no one in.

A session ends after :data:`MAX_AGE_S` without a request, as the cookie does (Starlette renews
its ``Max-Age`` with each answer): a request renews the row's ``seen_at`` when it is older than
:data:`RENEW_S`, a write at most once an hour per session, not one per request.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from geo import store

#: How long a session lasts without a request (the cookie's ``Max-Age`` too).
MAX_AGE_S = 12 * 3600
#: A request renews its session's ``seen_at`` once it is older than this.
RENEW_S = 3600
TABLE = "web_sessions"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS web_sessions (
  session_hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL,
  seen_at TEXT NOT NULL);
"""
_TABLES = store.ExtraTables(
    _SCHEMA,
    ((TABLE, None, "Logged-in sessions of the marking app (SHA-256 of their ids)"),),
)


def ensure_schema(path: Path | None = None) -> Path:
    """Create the sessions table in the store if needed and return the resolved store path."""
    return store.ensure_tables(_TABLES, path)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _ago(seconds: float) -> str:
    return _stamp(datetime.now(UTC) - timedelta(seconds=seconds))


def start(user_name: str, *, path: Path | None = None) -> str:
    """Record a new session of an account (at its login) and return its id for the cookie.

    Sessions unused for :data:`MAX_AGE_S` are removed on the way.

    Parameters
    ----------
    user_name
        The account's name as stored.
    path
        The store.

    Returns
    -------
    str
        The session id (random, 256 bits); only its hash is stored.
    """
    path = ensure_schema(path)
    session_id = secrets.token_urlsafe(32)
    conn = store.thread_connection(path)
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("DELETE FROM web_sessions WHERE seen_at < ?", (_ago(MAX_AGE_S),))
        conn.execute(
            "INSERT INTO web_sessions (session_hash, user_name, seen_at) VALUES (?,?,?)",
            (_hash(session_id), user_name, _stamp(datetime.now(UTC))),
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return session_id


def is_live(session_id: str, user_name: str, *, path: Path) -> bool:
    """Tell whether a session is still logged in (recorded for this account, not ended or old).

    A session last seen more than :data:`RENEW_S` ago is renewed (``seen_at`` set to now).

    Parameters
    ----------
    session_id
        The id from the cookie.
    user_name
        The account the cookie names.
    path
        The resolved store path.

    Returns
    -------
    bool
        ``False`` after its logout, its account's new password, or :data:`MAX_AGE_S`
        without a request.
    """
    conn = store.thread_connection(path, read_only=True)
    if not store.has_table(conn, TABLE):
        return False
    key = _hash(session_id)
    row = conn.execute(
        "SELECT seen_at FROM web_sessions WHERE session_hash = ? AND user_name = ?",
        (key, user_name),
    ).fetchone()
    if row is None or str(row[0]) < _ago(MAX_AGE_S):
        return False
    if str(row[0]) < _ago(RENEW_S):
        store.thread_connection(path).execute(
            "UPDATE web_sessions SET seen_at = ? WHERE session_hash = ?",
            (_stamp(datetime.now(UTC)), key),
        )
    return True


def end(session_id: str, *, path: Path | None = None) -> None:
    """End one session (at its logout); its cookie logs in no more, wherever it was copied.

    Parameters
    ----------
    session_id
        The id from the cookie.
    path
        The store.
    """
    path = ensure_schema(path)
    conn = store.thread_connection(path)
    conn.execute("DELETE FROM web_sessions WHERE session_hash = ?", (_hash(session_id),))


def end_all(conn: sqlite3.Connection, user_name: str) -> None:
    """End every session of an account, in the caller's transaction (a new password).

    Parameters
    ----------
    conn
        A writing connection to a store that has the table (:func:`ensure_schema`).
    user_name
        The account's name (any case: names are matched without case, as at login).
    """
    conn.execute("DELETE FROM web_sessions WHERE user_name = ? COLLATE NOCASE", (user_name,))
