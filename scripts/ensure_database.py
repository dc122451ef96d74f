"""Create the PostgreSQL database named in DATABASE_URL if it does not exist yet."""

import os
import sys
from urllib.parse import unquote, urlparse

import psycopg

url = urlparse(os.environ.get("DATABASE_URL", ""))
if url.scheme not in {"postgres", "postgresql"}:
    sys.exit(0)
name = unquote(url.path.lstrip("/"))
with psycopg.connect(
    host=url.hostname or "127.0.0.1",
    port=url.port or 5432,
    user=unquote(url.username or "postgres"),
    password=unquote(url.password) if url.password else None,
    dbname="postgres",
    autocommit=True,
) as connection:
    exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    if not exists:
        connection.execute(f'CREATE DATABASE "{name}"')
        print(f"Created database {name}.")
