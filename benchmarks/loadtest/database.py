"""A throw-away copy of a prepared database for the load test, which writes to its
database: LOADTEST_TEMPLATE=agenplan_scale names the database to copy (PostgreSQL's
CREATE DATABASE … TEMPLATE, on the server of DATABASE_URL); the copy is
`<template>_loadtest`, made afresh for each run and dropped after it unless
LOADTEST_KEEP_DB is set. The template itself is only read, and must have no other
session open while it is copied (stop servers using it)."""

import os
import time
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql


def _url_for(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _execute(url: str, statement) -> None:
    connection = psycopg2.connect(_url_for(url, "postgres"))
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@contextmanager
def copy_of_template():
    """Point DATABASE_URL at a fresh copy of LOADTEST_TEMPLATE for the block (no-op
    without it)."""
    template = os.environ.get("LOADTEST_TEMPLATE", "").strip()
    if not template:
        yield
        return
    url = os.environ["DATABASE_URL"]
    copy = f"{template}_loadtest"
    drop = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(copy))
    create = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
        sql.Identifier(copy), sql.Identifier(template)
    )
    _execute(url, drop)
    for attempt in range(10):  # the template is busy while anyone is connected to it
        try:
            _execute(url, create)
            break
        except psycopg2.errors.ObjectInUse:
            if attempt == 9:
                raise
            time.sleep(5)
    os.environ["DATABASE_URL"] = _url_for(url, copy)
    print(f"copied {template} to {copy}")
    try:
        yield
    finally:
        os.environ["DATABASE_URL"] = url
        if not os.environ.get("LOADTEST_KEEP_DB"):
            from django.db import connections

            connections.close_all()
            _execute(
                url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy))
            )
