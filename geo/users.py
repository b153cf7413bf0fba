"""Accounts of the marking app: organisation, role and an argon2 password hash in the store.

Login names are kept as created but compared without regard to case and surrounding
whitespace: "Anna.Berg " logs in as ``anna.berg``. Names are ASCII (:data:`_NAME_RE`), so
SQLite's ``COLLATE NOCASE`` (which folds A–Z only) is the same comparison as
:meth:`str.casefold` on them, while a typed non-ASCII letter that casefold() would turn into
ASCII (U+212A KELVIN SIGN into "k") still matches no one. Passwords stay case-sensitive.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo import sessions, store
from geo.errors import DataError

logger = logging.getLogger(__name__)

#: Organisations an account can belong to: id → Swedish label.
ORGS: dict[str, str] = {"kommun": "Kommunen", "polis": "Polisen"}

#: Roles: id → Swedish label. Editors write what their organisation may write; viewers only read.
ROLES: dict[str, str] = {"editor": "Redigerare", "viewer": "Läsare"}

MIN_PASSWORD_CHARS = 10
_NAME_RE = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  org TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_at DATETIME NOT NULL);
"""
#: argon2 takes ~64 MiB of memory per hash: at most this many at a time, whatever the load.
HASH_SLOTS = 2
_hash_slots = threading.BoundedSemaphore(HASH_SLOTS)
_hasher = PasswordHasher()
_dummy_hash: list[str] = []


def _dummy() -> str:
    """Return a hash to verify against for unknown names, so timing does not reveal names."""
    if not _dummy_hash:
        _dummy_hash.append(_hasher.hash("not-a-real-password"))
    return _dummy_hash[0]


@dataclass(frozen=True)
class User:
    """One account.

    Attributes
    ----------
    name
        Login name as created (the case it was given in; lookups ignore case).
    org
        Organisation, a key of :data:`ORGS`.
    role
        Role, a key of :data:`ROLES`.
    """

    name: str
    org: str
    role: str

    @property
    def can_write(self) -> bool:
        """Whether the account may change anything (editors only)."""
        return self.role == "editor"


_TABLES = store.ExtraTables(
    _SCHEMA, (("users", None, "Accounts of the marking app (argon2 password hashes)"),)
)


def ensure_schema(path: Path | None = None) -> Path:
    """Create the ``users`` table in the store if needed and return the store path.

    Takes and returns the store path as :func:`geo.store.ensure_tables` does.
    """
    return store.ensure_tables(_TABLES, path)


def _connect(path: Path) -> sqlite3.Connection:
    return store.thread_connection(path)


def _read_connection(path: Path | None) -> sqlite3.Connection:
    """Return this thread's read-only connection: reading accounts makes no table."""
    return store.thread_connection((path or store.default_path()).resolve(), read_only=True)


def clean_name(name: str) -> str:
    """Return a login name as it is looked up and stored: without surrounding whitespace.

    A phone's keyboard adds a space after a suggested word, and a pasted name may bring a
    tab or non-breaking space; case is left as typed (lookups ignore it).

    Parameters
    ----------
    name
        The name as typed.

    Returns
    -------
    str
        The name stripped of leading and trailing whitespace.
    """
    return name.strip()


def _same_name(conn: sqlite3.Connection, name: str, *, active_only: bool) -> list[tuple[Any, ...]]:
    """Return ``(name, org, role, password_hash)`` of the accounts named ``name`` in any case.

    More than one row only in a store that got names differing only by case before names
    were case-insensitive; :func:`add_user` creates no such name any more. None in a store
    without the ``users`` table.
    """
    if not store.has_table(conn, "users"):
        return []
    sql = "SELECT name, org, role, password_hash FROM users WHERE name = ? COLLATE NOCASE"
    if active_only:
        sql += " AND active = 1"
    return conn.execute(sql + " ORDER BY name", (name,)).fetchall()


def _account_row(name: str, path: Path | None) -> tuple[Any, ...] | None:
    """Return the active account a typed name means, or ``None``.

    The name is cleaned (:func:`clean_name`) and compared without case. Where an older store
    holds names differing only by case ("Anna" and "anna"), the exact name picks its own
    account and any other casing is ambiguous, so it means no one (and a warning says so).
    """
    name = clean_name(name)
    rows = _same_name(_read_connection(path), name, active_only=True)
    exact = [r for r in rows if r[0] == name]
    if exact or len(rows) == 1:
        return (exact or rows)[0]
    if rows:
        logger.warning(
            "login name %r matches the accounts %s, which differ only by case; "
            "it logs in to none of them (give the exact name)",
            name,
            ", ".join(repr(r[0]) for r in rows),
        )
    return None


def _allowed_name(name: str) -> str:
    """Return ``name`` cleaned (:func:`clean_name`), or raise :class:`DataError` if not allowed."""
    name = clean_name(name)
    if not _NAME_RE.match(name):
        msg = f"User name {name!r} is not allowed; use 2–64 letters, digits or . _ @ -."
        raise DataError(msg)
    return name


def _refuse_case_twins(conn: sqlite3.Connection, name: str) -> None:
    """Raise :class:`DataError` if ``name`` differs from an account's (active or not) only by case.

    The same name exactly is no twin: adding it again resets that account.
    """
    same = [r[0] for r in _same_name(conn, name, active_only=False)]
    others = [] if name in same else same
    if not others:
        return
    existing = " and ".join(repr(o) for o in others)
    msg = (
        f"User name {name!r} differs only by case from the existing "
        f"user{'s' if len(others) > 1 else ''} {existing}; login names ignore case. "
        f"Give {others[0]!r} to reset that account's password, or choose another name."
    )
    raise DataError(msg)


def check_new_name(name: str, *, path: Path | None = None) -> str:
    """Check a name for :func:`add_user` before a password is asked for, and return it cleaned.

    ``geo users add`` calls this first, so a name that would be refused is refused before
    the password is typed twice. :func:`add_user` checks again, in its write transaction.

    Parameters
    ----------
    name
        The login name as typed.
    path
        The store; one that does not exist yet holds no accounts and is not created.

    Returns
    -------
    str
        The name as :func:`add_user` stores it (:func:`clean_name`).

    Raises
    ------
    DataError
        If the name is not allowed or differs from an existing account's (active or not)
        only by case. The message names that account.
    """
    name = _allowed_name(name)
    _refuse_case_twins(_read_connection(path), name)
    return name


def add_user(
    name: str, *, org: str, role: str = "editor", password: str, path: Path | None = None
) -> User:
    """Create an account (or reset its organisation, role and password if it exists).

    A new password ends every session of the account (:func:`geo.sessions.end_all`): its
    browsers are logged out, and log in again with it. The same password again (a change
    of role or organisation only, which each request reads anew) logs no one out.

    Parameters
    ----------
    name
        Login name: 2–64 letters, digits or ``._@-`` after surrounding whitespace is removed
        (:func:`clean_name`); stored in the case given. A name differing from an existing one
        only by case is refused rather than made a second account, since logins ignore case.
    org
        A key of :data:`ORGS`.
    role
        A key of :data:`ROLES`.
    password
        At least :data:`MIN_PASSWORD_CHARS` characters; stored only as an argon2id hash.
    path
        The store.

    Returns
    -------
    User
        The account.

    Raises
    ------
    DataError
        If the name, organisation, role or password is not acceptable, or the name differs
        from an existing account's (active or not) only by case.
    """
    name = _allowed_name(name)
    if org not in ORGS:
        msg = f"Unknown organisation {org!r}; use one of {', '.join(ORGS)}."
        raise DataError(msg)
    if role not in ROLES:
        msg = f"Unknown role {role!r}; use one of {', '.join(ROLES)}."
        raise DataError(msg)
    if len(password) < MIN_PASSWORD_CHARS:
        msg = (
            f"The password is too short ({len(password)} characters); "
            f"use at least {MIN_PASSWORD_CHARS}."
        )
        raise DataError(msg)
    path = ensure_schema(path)
    sessions.ensure_schema(path)
    with _hash_slots:
        hashed = _hasher.hash(password)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    conn = _connect(path)
    new_password = not _has_password(conn, name, password)
    # the check and the insert in one write transaction: no other writer comes between them
    conn.execute("BEGIN IMMEDIATE")
    try:
        _refuse_case_twins(conn, name)
        conn.execute(
            "INSERT INTO users (name, org, role, password_hash, active, created_at)"
            " VALUES (?,?,?,?,1,?) ON CONFLICT(name) DO UPDATE SET org=excluded.org,"
            " role=excluded.role, password_hash=excluded.password_hash, active=1",
            (name, org, role, hashed, now),
        )
        if new_password:  # a lost phone, a leaked password: logged out everywhere
            sessions.end_all(conn, name)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    logger.info("user %s (%s, %s) saved", name, org, role)
    return User(name, org, role)


def remove_user(name: str, *, path: Path | None = None) -> User:
    """Remove an account: it logs in no more, is listed no more, and its sessions end.

    The row stays, deactivated (``active = 0``) and without its password hash, so that what
    the account wrote keeps its author: a spot's ``created_by``, a pass's ``logged_by`` and
    the audit rows name it as before, to its own organisation by name and to the other as
    the organisation (:func:`account_orgs`, :func:`shown_name`). ``geo users add`` with the
    same name makes it an account again, with a new password.

    Parameters
    ----------
    name
        The login name, as at login: case and surrounding whitespace do not matter. In an
        older store holding names that differ only by case, only the exact name is taken.
    path
        The store.

    Returns
    -------
    User
        The account removed (its name as stored).

    Raises
    ------
    DataError
        If no active account has the name, or it matches several differing only by case.
    """
    name = clean_name(name)
    conn = _connect(ensure_schema(path))
    sessions.ensure_schema(path)
    # the lookup and the change in one write transaction: no login comes between them
    conn.execute("BEGIN IMMEDIATE")
    try:
        rows = _same_name(conn, name, active_only=True)
        exact = [r for r in rows if r[0] == name]
        if not (exact or len(rows) == 1):
            names = " and ".join(repr(r[0]) for r in rows)
            msg = (
                f"User name {name!r} matches the users {names}, which differ only by case; "
                "give the exact name."
                if rows
                else f"No user {name!r}; `geo users list` shows the accounts."
            )
            raise DataError(msg)
        user = User(*(exact or rows)[0][:3])
        conn.execute("UPDATE users SET active = 0, password_hash = '' WHERE name = ?", (user.name,))
        sessions.end_all(conn, user.name)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    logger.info("user %s (%s, %s) removed", user.name, user.org, user.role)
    return user


def _has_password(conn: sqlite3.Connection, name: str, password: str) -> bool:
    """Tell whether the account named exactly ``name`` exists and has ``password``."""
    row = conn.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        return False
    with _hash_slots:
        try:
            return bool(_hasher.verify(str(row[0]), password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def get_user(name: str, *, path: Path | None = None) -> User | None:
    """Return the active account with this name, or ``None``.

    Parameters
    ----------
    name
        Login name, in any case and with any surrounding whitespace.
    path
        The store.

    Returns
    -------
    User or None
        The account (its name as stored), ``None`` when unknown, deactivated or ambiguous
        (see :func:`authenticate`).
    """
    row = _account_row(name, path)
    return User(*row[:3]) if row else None


def authenticate(name: str, password: str, *, path: Path | None = None) -> User | None:
    """Check a password and return the account, or ``None`` when name or password is wrong.

    Every call verifies one argon2 hash, a dummy one for a name that means no account, so
    the time taken does not tell whether a name exists.

    Parameters
    ----------
    name
        Login name as typed: case and surrounding whitespace do not matter. In an older
        store holding names that differ only by case, only the exact name logs in.
    password
        The password typed (case-sensitive).
    path
        The store.

    Returns
    -------
    User or None
        The account (its name as stored) when the password matches.
    """
    row = _account_row(name, path)
    stored = row[3] if row else _dummy()
    with _hash_slots:
        try:
            _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
    return User(*row[:3]) if row else None


def list_users(*, path: Path | None = None) -> list[User]:
    """Return the active accounts, sorted by name regardless of case.

    Parameters
    ----------
    path
        The store.

    Returns
    -------
    list of User
        The accounts (none in a store without accounts).
    """
    conn = _read_connection(path)
    if not store.has_table(conn, "users"):
        return []
    rows = conn.execute(
        "SELECT name, org, role FROM users WHERE active = 1 ORDER BY name COLLATE NOCASE, name"
    ).fetchall()
    return [User(*r) for r in rows]


def account_orgs(*, path: Path | None = None) -> dict[str, str]:
    """Return every account's organisation by its name, deactivated accounts too.

    Parameters
    ----------
    path
        The store.

    Returns
    -------
    dict
        Account name → organisation (a key of :data:`ORGS`); empty without accounts.
    """
    conn = _read_connection(path)
    if not store.has_table(conn, "users"):
        return {}
    return {str(n): str(o) for n, o in conn.execute("SELECT name, org FROM users").fetchall()}


def shown_name(name: object, viewer: User, orgs: dict[str, str]) -> str:
    """Return how an account that changed something is named to ``viewer``.

    An account of the viewer's own organisation by its name; one of the other organisation
    as that organisation (``Polisen``, ``Kommunen``): design §8, no names to the shared
    audience, as in an activity's history. A name no account has (its organisation cannot
    be told) is ``–``.

    Parameters
    ----------
    name
        The account name as stored (``changed_by``, ``created_by``, ``updated_by``).
    viewer
        The account looking.
    orgs
        :func:`account_orgs`.

    Returns
    -------
    str
        The name, the organisation's name, or ``"–"``.
    """
    org = orgs.get(str(name))
    if org is None:
        return "–"
    return str(name) if org == viewer.org else ORGS.get(org, org)
