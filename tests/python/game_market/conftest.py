"""Fixtures of the game_market tests: a published game of a developer, and helpers to buy it, handed out as
fixtures (``--import-mode=importlib``: test modules import nothing from here). Everything is written through the
generated functions, as ``chaindb_app``."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from chaindb.game_market import queries as q


def pubkey(seed: str) -> str:
    """A well-formed user key: 02 and the SHA-256 of the seed in hex."""
    return "02" + hashlib.sha256(seed.encode()).hexdigest()


@dataclass(frozen=True)
class Store:
    developer: q.User
    game: q.Game
    release: q.Release


def open_store(app: psycopg.Connection[Any], slug: str = "moon-runner") -> Store:
    developer = q.user_get_or_create(app, pubkey=pubkey(f"developer {slug}"), display_name=f"Dev of {slug}")
    q.developer_profile_upsert(app, user_id=developer.id, payout_ln_address=f"{slug}@pay.example.com")
    game = q.game_create(
        app, developer_user_id=developer.id, slug=slug, title=slug.title(), summary=None, description_md=None
    )
    release = q.release_create(app, game_id=game.id, version="1.0.0", release_notes_md=None)
    q.build_asset_create(
        app, release_id=release.id, object_key=f"builds/{slug}.zip", sha256=hashlib.sha256(slug.encode()).hexdigest(),
        size_bytes=1_000_000, content_type="application/zip",
    )
    release = q.release_publish(app, id=release.id)
    game = q.game_publish(app, id=game.id)
    return Store(developer, game, release)


@pytest.fixture
def store(app: psycopg.Connection[Any]) -> Store:
    return open_store(app)


@pytest.fixture
def new_store() -> Callable[[psycopg.Connection[Any], str], Store]:
    """open_store(app, slug): another developer with a published game."""
    return open_store


@pytest.fixture
def player(app: psycopg.Connection[Any]) -> q.User:
    return q.user_get_or_create(app, pubkey=pubkey("player"), display_name="Player")


@pytest.fixture
def invoice() -> Callable[[], str]:
    """A fresh invoice id."""
    return lambda: f"inv-{uuid.uuid4().hex}"
