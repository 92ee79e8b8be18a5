"""DATABASE_URL chooses the store and says where PostgreSQL is; no database is needed here."""

from __future__ import annotations

import pytest

from notes_service.app import store_from
from notes_service.postgres import ConnectionParams, PostgresStore, parse_url
from notes_service.store import MemoryStore


def test_a_full_url_gives_every_connection_parameter() -> None:
    assert parse_url("postgresql://notes:s3cret@127.0.0.1:54321/notes") == ConnectionParams(
        user="notes", password="s3cret", host="127.0.0.1", port=54321, database="notes"
    )


def test_the_port_defaults_to_postgres_own_and_the_short_scheme_is_accepted() -> None:
    params = parse_url("postgres://notes@db.internal/notes")
    assert (params.host, params.port, params.password) == ("db.internal", 5432, None)


def test_percent_encoded_user_password_and_database_are_decoded() -> None:
    params = parse_url("postgresql://no%40tes:p%2Fw%3Ad@127.0.0.1:5432/my%20notes")
    assert (params.user, params.password, params.database) == ("no@tes", "p/w:d", "my notes")


@pytest.mark.parametrize(
    "url",
    [
        "mysql://notes:pw@127.0.0.1:3306/notes",  # another database
        "postgresql://127.0.0.1:5432/notes",  # no user
        "postgresql://notes:pw@127.0.0.1:5432/",  # no database
        "postgresql://notes:pw@:5432/notes",  # no host
        "postgresql://notes:pw@127.0.0.1:5432/notes?sslmode=require",  # options we would ignore
        "postgresql://notes:pw@127.0.0.1:port/notes",  # a port that is no number
    ],
)
def test_a_url_that_cannot_be_used_is_refused_without_showing_the_password(url: str) -> None:
    with pytest.raises(ValueError, match="DATABASE_URL") as refused:
        parse_url(url)
    assert "pw" not in str(refused.value)


def test_the_password_stays_out_of_the_parameters_repr() -> None:
    params = parse_url("postgresql://notes:s3cret@127.0.0.1:5432/notes")
    assert "s3cret" not in repr(params)
    assert repr(params) == "postgresql://notes@127.0.0.1:5432/notes"


def test_database_url_chooses_postgres_and_its_absence_memory() -> None:
    assert isinstance(store_from({"DATABASE_URL": "postgresql://n:p@127.0.0.1/n"}), PostgresStore)
    assert isinstance(store_from({}), MemoryStore)
    assert isinstance(store_from({"DATABASE_URL": ""}), MemoryStore)


def test_a_bad_database_url_stops_the_app_before_it_serves() -> None:
    with pytest.raises(ValueError, match="postgresql://"):
        store_from({"DATABASE_URL": "sqlite:///notes.db"})
