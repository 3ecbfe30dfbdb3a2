"""Editors log in with HTTP Basic against the accounts in the store; nobody else gets an editor's page."""

from __future__ import annotations

import pytest

from reportgen.errors import InputError
from reportgen.store import Store, users

PAGES = ["/", "/briefing?partner=MX&period=2024", "/briefings/MEX/2024", "/briefings/MEX/2024/html",
         "/briefings/MEX/2024/pdf"]


@pytest.mark.parametrize("path", PAGES)
def test_every_editors_page_asks_for_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Basic realm="reportgen editors"')
    assert "Log in" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/archive/", "/archive/index.html", "/archive/feed.atom"])
def test_the_archive_of_published_briefings_needs_no_login(client, path):
    """Digests and the Atom feed send subscribers there; an empty archive is a 404, not a 401."""
    assert client.get(path).status_code in (200, 404)


@pytest.mark.parametrize("credentials", [
    ("editor", "wrong password!"),
    ("nobody", "correct horse battery"),
    ("editor", ""),
    ("editor", "CORRECT HORSE BATTERY"),
    ("editor:x", "correct horse battery"),
    ("", ""),
])
def test_wrong_credentials_are_refused(client, basic, credentials):
    response = client.get("/", headers=basic(*credentials))
    assert response.status_code == 401
    assert "not an editor" in response.get_data(as_text=True) or not credentials[0]


def test_other_schemes_and_garbage_are_refused(client):
    for header in ("Bearer abc", "Basic !!!not-base64", "Basic " + "A" * 5000, "Digest username=editor"):
        assert client.get("/", headers={"Authorization": header}).status_code == 401


def test_an_editor_gets_in(client, editor):
    response = client.get("/", headers=editor)
    assert response.status_code == 200
    assert "Choose a partner" in response.get_data(as_text=True)


def test_a_removed_or_changed_account_stops_working_at_once(client, basic, web_config):
    name, password = "temporary", "a password for a while"
    with Store(web_config.db_path) as store:
        users.add(store, name, password)
    assert client.get("/", headers=basic(name, password)).status_code == 200
    assert client.get("/", headers=basic(name, password)).status_code == 200  # remembered
    with Store(web_config.db_path) as store:
        users.add(store, name, "a different password now")
    assert client.get("/", headers=basic(name, password)).status_code == 401
    assert client.get("/", headers=basic(name, "a different password now")).status_code == 200
    with Store(web_config.db_path) as store:
        assert users.remove(store, name)
    assert client.get("/", headers=basic(name, "a different password now")).status_code == 401


def test_passwords_are_stored_as_scrypt_hashes(web_config, accounts):
    name, password = accounts["other"]
    with Store(web_config.db_path) as store:
        stored = users.get(store, name)
        row = store.db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    assert stored.password_hash.startswith("scrypt:")
    assert all(password not in str(value) for value in row)
    assert users.verify(stored, password) and not users.verify(stored, password + "x")
    assert not users.verify(None, password)


@pytest.mark.parametrize("name", ["", "with space", "colon:name", "../x", "x" * 65, "-starts-with-dash"])
def test_account_names_that_cannot_log_in_are_refused(web_config, name):
    with Store(web_config.db_path) as store, pytest.raises(InputError):
        users.add(store, name, "a long enough password")


def test_short_passwords_are_refused_without_showing_them(web_config):
    with Store(web_config.db_path) as store, pytest.raises(InputError) as error:
        users.add(store, "shorty", "secret")
    assert "secret" not in str(error.value)


def test_guessing_a_password_is_slowed_per_name(web_config):
    from reportgen.web.auth import FAILURE_WINDOW, MAX_FAILURES, Editors

    with Store(web_config.db_path) as store:
        users.add(store, "guessed", "the real password")
    now = [1000.0]
    editors = Editors(web_config.db_path, clock=lambda: now[0])
    for attempt in range(MAX_FAILURES):
        assert editors.wait("guessed") == 0
        assert not editors.check("guessed", f"guess number {attempt}")
        now[0] += 1
    assert editors.wait("guessed") == FAILURE_WINDOW - MAX_FAILURES  # until the first guess is ten minutes old
    assert editors.wait("editor") == 0  # other names are not held up
    now[0] += FAILURE_WINDOW - MAX_FAILURES
    assert editors.wait("guessed") == 0
    assert editors.check("guessed", "the real password")
    assert not editors.check("guessed", "one more wrong one") and editors.wait("guessed") == 0  # a success resets


def test_a_name_with_too_many_wrong_passwords_gets_429_even_with_the_right_one(client, basic, web_config):
    from reportgen.web.auth import MAX_FAILURES

    with Store(web_config.db_path) as store:
        users.add(store, "targeted", "the right password")
    for attempt in range(MAX_FAILURES):
        assert client.get("/", headers=basic("targeted", f"wrong {attempt}")).status_code == 401
    refused = client.get("/", headers=basic("targeted", "the right password"))
    assert refused.status_code == 429 and 590 <= int(refused.headers["Retry-After"]) <= 600
    assert "Too many wrong passwords" in refused.get_data(as_text=True)
    assert client.get("/", headers=basic("other-name", "anything at all")).status_code == 401


def test_long_names_are_refused_before_any_lookup_and_cost_no_memory(client, basic):
    """300 requests with 190 KB names grew the server by ~60 MB: every name was kept in the throttle."""
    import gc
    import tracemalloc

    long_names = [f"{n:04d}" + "x" * 190_000 for n in range(100)]
    client.get("/", headers=basic(long_names[0], "warm-up"))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number, name in enumerate(long_names[1:]):
            assert client.get("/", headers=basic(name, "any password"),
                              environ_base={"REMOTE_ADDR": f"198.51.100.{number}"}).status_code == 401
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # 99 names of 190 KB: 19 MB if they were kept. (tracemalloc also sees the other threads of the test
    # session, a few MB at most.)
    assert grown < 5_000_000, grown


def test_churning_through_names_never_lifts_a_lockout(web_config, monkeypatch):
    """Filling the table of names with failures cleared it, and so unlocked every name held off."""
    from reportgen.web import auth

    monkeypatch.setattr(auth, "MAX_COUNTED", 8)  # the table's size, small so the test needs few scrypt checks
    with Store(web_config.db_path) as store:
        users.add(store, "held-off", "the real password")
    now = [1000.0]
    editors = auth.Editors(web_config.db_path, clock=lambda: now[0])
    for attempt in range(auth.MAX_FAILURES):
        assert not editors.check("held-off", f"guess {attempt}")
    for number in range(3 * auth.MAX_COUNTED):  # other names
        now[0] += 1
        assert not editors.check(f"churn{number}", "a wrong password")
    assert editors.wait("held-off") > 0


def test_wrong_passwords_are_also_counted_per_address(client, basic, web_config):
    """One client trying many names is held off whatever name it tries next; other clients are not."""
    from reportgen.web.auth import MAX_ADDRESS_FAILURES

    with Store(web_config.db_path) as store:
        users.add(store, "unlucky", "the right password")
    attacker = {"REMOTE_ADDR": "203.0.113.66"}
    for number in range(MAX_ADDRESS_FAILURES):
        assert client.get("/", headers=basic(f"guess{number}", "wrong"), environ_base=attacker).status_code == 401
    refused = client.get("/", headers=basic("unlucky", "the right password"), environ_base=attacker)
    assert refused.status_code == 429 and "from your address" in refused.get_data(as_text=True)
    other = client.get("/", headers=basic("unlucky", "the right password"), environ_base={"REMOTE_ADDR": "192.0.2.5"})
    assert other.status_code == 200
