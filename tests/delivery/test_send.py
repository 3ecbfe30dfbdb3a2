"""Sending exactly once against a real SMTP server on loopback that drops, refuses and defers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fakes.smtp import self_signed, smtp_server

from reportgen import pipeline
from reportgen.delivery import tokens
from reportgen.errors import DeliveryError, InputError, LockedError
from reportgen.pipeline import SendIncomplete
from reportgen.store.mail import MailStore

from .conftest import subscribe

PEOPLE = [f"reader{n}@example.com" for n in range(1, 6)]


def outbox(config, issue: str = "MEX-2024") -> dict[str, int]:
    with MailStore(config.db_path) as box:
        return {state: n for state, n in box.counts(issue).items() if n}


def incomplete(config, *args, **kwargs) -> pipeline.SendReport:
    """A send that must stop with messages left pending; its report."""
    with pytest.raises(SendIncomplete, match="still pending: run `reportgen send` again") as stopped:
        pipeline.send(config, "MX", "2024", *args, **kwargs)
    return stopped.value.report


def each_got(server, addresses) -> list[int]:
    return [len(server.handler.to(a)) for a in addresses]


def test_drop_before_the_data_then_a_rerun_sends_the_rest(make_config):
    with smtp_server(drop_after=2, drop="rcpt") as server:
        config = make_config(server.port)
        subscribe(config, *PEOPLE)
        first = incomplete(config)
        assert "connection lost" in first.delivery.stopped
        assert outbox(config) == {"sent": 2, "pending": 3}
        second = pipeline.send(config, "MX", "2024")
        assert second.delivery.sent == 3 and not second.delivery.stopped
        assert pipeline.send(config, "MX", "2024").delivery.sent == 0  # and a third run sends nothing
    assert each_got(server, PEOPLE) == [1, 1, 1, 1, 1]
    assert outbox(config) == {"sent": 5}


def test_lost_after_the_data_is_unknown_and_not_resent_unless_asked(make_config):
    with smtp_server(drop_after=2, drop="reply") as server:
        config = make_config(server.port)
        subscribe(config, *PEOPLE)
        first = incomplete(config)
        assert [email for email, _ in first.delivery.unknown] == [PEOPLE[2]]
        assert outbox(config) == {"sent": 2, "unknown": 1, "pending": 2}
        pipeline.send(config, "MX", "2024")
        assert each_got(server, PEOPLE) == [1, 1, 1, 1, 1]  # the server did keep the third one
        assert outbox(config) == {"sent": 4, "unknown": 1}
        again = pipeline.send(config, "MX", "2024", resend_unknown=True)  # the operator's call
        assert again.delivery.sent == 1 and outbox(config) == {"sent": 5}
    copies = server.handler.to(PEOPLE[2])
    assert len(copies) == 2 and copies[0].message["Message-ID"] == copies[1].message["Message-ID"]


def test_a_refused_recipient_is_recorded_and_the_others_get_theirs(make_config):
    refuse = {PEOPLE[1]: "550 5.1.1 <reader2@example.com>: no such user", PEOPLE[3]: "554 5.7.1 rejected by policy"}
    with smtp_server(refuse=refuse) as server:
        config = make_config(server.port)
        subscribe(config, *PEOPLE)
        report = pipeline.send(config, "MX", "2024")
        assert report.delivery.sent == 3 and not report.delivery.stopped
        assert dict(report.delivery.failed) == {PEOPLE[1]: "550 5.1.1 <reader2@example.com>: no such user",
                                                PEOPLE[3]: "554 5.7.1 rejected by policy"}
        assert pipeline.send(config, "MX", "2024").delivery.failed == []  # failed rows are not retried
    assert each_got(server, PEOPLE) == [1, 0, 1, 0, 1]
    with MailStore(config.db_path) as box:
        rows = {row.email: (row.state, row.attempts, row.reply) for row in box.rows("MEX-2024", ["failed"])}
        assert rows[PEOPLE[1]] == ("failed", 1, "550 5.1.1 <reader2@example.com>: no such user")
        assert box.subscriber(PEOPLE[1]).status == "bounced"  # no such mailbox: stop writing to it
        assert box.subscriber(PEOPLE[3]).status == "active"  # a policy refusal is not a dead address


def test_a_temporary_refusal_stays_pending_for_the_next_run(make_config):
    with smtp_server(refuse={PEOPLE[0]: "451 4.3.0 try again later"}) as server:
        config = make_config(server.port)
        subscribe(config, *PEOPLE[:2])
        report = incomplete(config)
        assert report.delivery.deferred == [(PEOPLE[0], "451 4.3.0 try again later")]
        assert outbox(config) == {"pending": 1, "sent": 1}
        server.handler.refuse.clear()
        assert pipeline.send(config, "MX", "2024").delivery.sent == 1
    assert each_got(server, PEOPLE[:2]) == [1, 1]


def test_unsubscribed_and_removed_subscribers_get_nothing(make_config):
    with smtp_server(drop_after=0, drop="rcpt") as server:  # the first run gets nowhere: all stay pending
        config = make_config(server.port)
        subscribe(config, *PEOPLE[:4])
        subscribe(config, "elsewhere@example.com", partners=("CAN",))  # follows Canada only
        incomplete(config)
        assert outbox(config) == {"pending": 4}
        with MailStore(config.db_path) as box:
            leaving = box.subscriber(PEOPLE[0])
            box.remove(PEOPLE[1])
        token = tokens.unsubscribe_token(tokens.secret_key(config.data_dir), leaving.id, leaving.email)
        assert pipeline.unsubscribe(config, token).changed
        assert not pipeline.unsubscribe(config, token).changed  # a second click changes nothing
        pipeline.send(config, "MX", "2024")
    assert each_got(server, [*PEOPLE[:4], "elsewhere@example.com"]) == [0, 0, 1, 1, 0]
    assert outbox(config) == {"sent": 2, "cancelled": 2}


def test_unsubscribe_tokens_cannot_be_forged(make_config):
    config = make_config()
    subscribe(config, "ana@example.com", "bob@example.com")
    key = tokens.secret_key(config.data_dir)
    with MailStore(config.db_path) as box:
        ana, bob = box.subscriber("ana@example.com"), box.subscriber("bob@example.com")
    good = tokens.unsubscribe_token(key, ana.id, ana.email)
    forged = [good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
              tokens.unsubscribe_token(key, bob.id, ana.email),  # another subscriber's number
              tokens.unsubscribe_token(b"x" * 32, ana.id, ana.email),  # another key
              "AQ", "not a token", ""]
    for token in forged:
        with pytest.raises(InputError, match="not a valid unsubscribe token"):
            pipeline.unsubscribe(config, token)
    assert pipeline.unsubscribe(config, good).email == "ana@example.com"


def test_starttls_verifies_the_certificate(make_config, tmp_path, monkeypatch):
    cert, key = self_signed(tmp_path)
    with smtp_server(tls=(cert, key)) as server:
        config = make_config(server.port, smtp={"security": "starttls", "host": "localhost"})
        subscribe(config, "ana@example.com")
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        with pytest.raises(DeliveryError, match="certificate could not be verified.*self.signed"):
            pipeline.send(config, "MX", "2024")
        assert server.messages == [] and outbox(config) == {"pending": 1}
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the test trusts it: then it goes through
        assert pipeline.send(config, "MX", "2024").delivery.sent == 1
    assert len(server.messages) == 1


def test_implicit_tls(make_config, tmp_path, monkeypatch):
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with smtp_server(tls=(cert, key), implicit_tls=True) as server:
        config = make_config(server.port, smtp={"security": "ssl", "host": "127.0.0.1"})
        subscribe(config, "ana@example.com")
        assert pipeline.send(config, "MX", "2024").delivery.sent == 1


def test_starttls_required_but_not_offered(make_config):
    with smtp_server() as server:
        config = make_config(server.port, smtp={"security": "starttls"})
        subscribe(config, "ana@example.com")
        with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
            pipeline.send(config, "MX", "2024")


def test_no_server(make_config):
    from fakes.smtp import free_port

    config = make_config(free_port())
    subscribe(config, "ana@example.com")
    refused = r"cannot connect to the SMTP server 127\.0\.0\.1:\d+ \(Connection refused\)"
    with pytest.raises(DeliveryError, match=refused):
        pipeline.send(config, "MX", "2024")
    assert outbox(config) == {"pending": 1}


def test_batches_and_rate_limit(make_config):
    with smtp_server() as server:
        config = make_config(server.port, smtp={"batch_size": 2, "rate_limit": 20})
        subscribe(config, *PEOPLE)
        started = time.monotonic()
        assert pipeline.send(config, "MX", "2024").delivery.sent == 5
        assert time.monotonic() - started >= 4 / 20  # five messages, a twentieth of a second apart
    assert each_got(server, PEOPLE) == [1, 1, 1, 1, 1]


def test_one_sender_per_issue(make_config):
    from filelock import FileLock

    config = make_config()
    subscribe(config, "ana@example.com")
    with FileLock(config.data_dir / "send-MEX-2024.lock"), \
            pytest.raises(LockedError, match="another `reportgen send` of MEX-2024 is running"):
        pipeline.send(config, "MX", "2024")


def test_the_secret_key_is_made_once_and_kept_private(make_config, monkeypatch):
    config = make_config()
    monkeypatch.delenv(tokens.ENV, raising=False)
    key = tokens.secret_key(config.data_dir)
    path = config.data_dir / tokens.KEY_FILE
    assert path.stat().st_mode & 0o777 == 0o600 and tokens.secret_key(config.data_dir) == key
    path.chmod(0o644)
    with pytest.raises(DeliveryError, match="can be read by others"):
        tokens.secret_key(config.data_dir)
    monkeypatch.setenv(tokens.ENV, "short")
    with pytest.raises(DeliveryError, match="too short"):
        tokens.secret_key(config.data_dir)
    monkeypatch.setenv(tokens.ENV, "k" * 40)
    assert tokens.secret_key(config.data_dir) == b"k" * 40


def test_with_no_one_to_write_to_nothing_is_drawn_or_sent(make_config):
    config = make_config(9, email={"charts": "hosted", "attach_pdf": True})  # nothing listens on port 9
    report = pipeline.send(config, "MX", "2024")
    assert str(report) == "MEX-2024: no subscribers" and report.delivery.sent == 0
    assert report.subject == "U.S. goods trade deficit with Mexico hits record $168.6 billion in 2024"
    assert not (Path(config.output_dir) / "2024/MEX/charts").exists()  # no chart drawn for nobody
