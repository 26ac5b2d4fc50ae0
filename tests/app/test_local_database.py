"""The local database through the CLI: one run at a time, one clear line for every failure, no password anywhere.

PostgreSQL cases run on the real server of tests/conftest.py (``pg_url``); the SQLite ones on files,
a read-only mount and an immutable file where this machine allows making them (as root, as CI runs).
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app.cli import main
from tests.patterns.test_store import sql

ROOT = Path(__file__).resolve().parents[2]
SMALL = str(ROOT / "tests" / "fixtures" / "small.toml")
QUICK = ["--quiet", "--patterns", "batch_sync", "--set", "scenario.duration=20", "--set", "data.customers=50"]


def cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_refused(code: int, out: str, err: str, *fragments: str, secret: str | None = None) -> None:
    assert code == 2, err
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("patternsim: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err
    if secret:
        assert secret not in err


def password_of(url: str) -> str:
    return make_url(url).password


# -- item 3: every database failure is one line, exit 2 ------------------------------------------------------
def test_postgresql_with_no_server(capsys):
    code, out, err = cli(["run", SMALL, *QUICK, "--db", "postgresql+psycopg://app:s3cr3t-pw@127.0.0.1:1/crm"], capsys)
    assert_refused(code, out, err, "app:***@127.0.0.1:1/crm", "Connection refused", secret="s3cr3t-pw")


@pytest.mark.parametrize("change", ["password", "database"])
def test_postgresql_with_a_wrong_password_or_a_missing_database(pg_url, change, capsys):
    url = make_url(pg_url)
    url = url.set(password="wrong-Pa55") if change == "password" else url.set(database="no_such_database")
    code, out, err = cli(["run", SMALL, *QUICK, "--db", url.render_as_string(hide_password=False)], capsys)
    reason = "password authentication failed" if change == "password" else '"no_such_database" does not exist'
    assert_refused(code, out, err, reason, secret=url.password)
    assert password_of(pg_url) not in err


def test_sqlite_on_a_file_that_is_not_a_database(tmp_path, capsys):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 10)
    code, out, err = cli(["run", SMALL, *QUICK, "--db", f"sqlite:///{path}"], capsys)
    assert_refused(code, out, err, "file is not a database")
    assert path.read_bytes() == b"these are my notes, not a database\n" * 10


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_sqlite_where_no_file_can_be_made(capsys):
    code, out, err = cli(["run", SMALL, *QUICK, "--db", "sqlite:////proc/self/x.db"], capsys)
    assert_refused(code, out, err, "cannot open /proc/self/x.db for writing")


def test_sqlite_on_an_immutable_file(tmp_path, capsys):
    path = tmp_path / "frozen.db"
    path.write_bytes(b"")
    chattr = shutil.which("chattr")
    if not chattr or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("cannot make an immutable file here (chattr +i needs root on a supporting file system)")
    try:
        code, out, err = cli(["run", SMALL, *QUICK, "--db", f"sqlite:///{path}"], capsys)
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)
    assert_refused(code, out, err, "Operation not permitted")


@pytest.fixture
def read_only_mount(tiny_disk):
    """A read-only file system holding one empty database file."""
    (tiny_disk / "local.db").write_bytes(b"")
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    return tiny_disk


@pytest.mark.parametrize("name", ["local.db", "new.db"])
def test_sqlite_on_a_read_only_mount(read_only_mount, name, capsys):
    code, out, err = cli(["run", SMALL, *QUICK, "--db", f"sqlite:///{read_only_mount / name}"], capsys)
    assert_refused(code, out, err, "Read-only file system")


@pytest.mark.parametrize(("ddl", "reason"), [
    (["create view customers as select 1 as id"], "a view 'customers'"),
    (["create table people (city text, id integer)", "create index ix_customers_city on people (city)"],
     "an index 'ix_customers_city' on table 'people'"),
    (["create table customers (id integer)"], "a table 'customers' that patternsim did not create"),
], ids=["view", "index", "table"])
def test_objects_of_the_users_that_have_our_names(db_url, ddl, reason, capsys):
    sql(db_url, *ddl)
    code, out, err = cli(["run", SMALL, *QUICK, "--db", db_url], capsys)
    secret = password_of(db_url)
    assert_refused(code, out, err, reason, secret=secret)


# -- item 1: a second run on the same database is refused, naming the first ------------------------------------
def test_a_second_run_is_refused_while_the_first_holds_the_database(db_url, capsys, tmp_path):
    first = subprocess.Popen([sys.executable, "-m", "app.cli", "run", SMALL, "--patterns", "batch_sync,queued_sync",
                              "--set", "scenario.duration=20000", "--db", db_url, "--out", str(tmp_path / "first")],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first.stderr.readline()  # its first progress line: it holds the database and is running
        code, out, err = cli(["run", SMALL, *QUICK, "--db", db_url], capsys)
        assert_refused(code, out, err, f"in use by pid {first.pid} on ", secret=password_of(db_url))
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=120)
    assert first.returncode == 130
    code, out, err = cli(["run", SMALL, *QUICK, "--db", db_url], capsys)  # now it is free again
    assert code == 0, err


# -- item 6: the password is never written ------------------------------------------------------------------------
def test_the_password_is_in_no_output(pg_url, capsys, tmp_path):
    secret = password_of(pg_url)
    assert secret
    code, out, err = cli(["run", SMALL, *QUICK, "--db", pg_url, "--json", "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    written = [(tmp_path / "out" / name).read_text() for name in ("results.json", "results.csv")]
    for text in (out, err, *written):
        assert secret not in text
    shown = json.loads(out)["scenario"]["local_db"]["url"]
    assert shown == make_url(pg_url).render_as_string(hide_password=True) and ":***@" in shown
    sql(pg_url, "drop table patternsim_marker")  # now the tables are no longer known to be patternsim's
    code, out, err = cli(["run", SMALL, *QUICK, "--db", pg_url], capsys)
    assert_refused(code, out, err, ":***@", "that patternsim did not create", secret=secret)
