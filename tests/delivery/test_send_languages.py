"""The digest in each subscriber's language: one rendering per language, from the same facts, over real SMTP."""

from __future__ import annotations

from fakes.smtp import smtp_server

from reportgen import pipeline
from reportgen.store.mail import MailStore, NewSubscriber


def body(received) -> tuple[str, str, str]:
    """The subject, the plain text and the HTML of a received message."""
    message = received.message
    return (message["Subject"], message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


def test_each_subscriber_reads_the_digest_in_their_language(make_config):
    with smtp_server() as server:
        config = make_config(server.port, languages=["en", "es"])
        with MailStore(config.db_path) as box:
            box.add([NewSubscriber("ana@example.com", language="es"), NewSubscriber("bob@example.com"),
                     NewSubscriber("eve@example.com", language="fr"),
                     NewSubscriber("luz@example.com", language="es-MX")])
        report = pipeline.send(config, "MX", "2024")
        assert report.delivery.sent == 4
        got = {who: body(server.handler.to(who)[0]) for who in
               ("ana@example.com", "bob@example.com", "eve@example.com", "luz@example.com")}
    spanish, english, unknown, mexican = (got[w] for w in ("ana@example.com", "bob@example.com", "eve@example.com",
                                                          "luz@example.com"))
    assert spanish[0] == mexican[0] == ("Déficit comercial de Estados Unidos con México alcanza récord de 168.6 mil "
                                        "millones de dólares en 2024")
    assert english[0] == unknown[0] == "U.S. goods trade deficit with Mexico hits record $168.6 billion in 2024"
    assert report.subject == english[0]  # the issue is recorded by its English headline
    text, html = spanish[1], spanish[2]
    assert "El déficit comercial de Estados Unidos con México alcanzó un récord de 168.6 mil millones de dólares" \
        in " ".join(text.split())
    assert "CIFRAS CLAVE" in text and "KEY FIGURES" not in text
    assert '<html lang="es-MX"' in html
    assert "/archive/2024/MEX/MEX-2024.es.html" in html  # the Spanish edition, which the config builds
    assert "Cancele su suscripci" in html and "Unsubscribe" not in html
    assert "2024/MEX/MEX-2024.html" in english[2] and "Key figures" in english[2]
