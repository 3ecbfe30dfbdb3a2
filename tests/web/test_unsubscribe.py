"""The digest's one-click unsubscribe: no login, no CSRF token; a GET only asks, a POST unsubscribes."""

from __future__ import annotations

import pytest

from reportgen.delivery import tokens
from reportgen.store.mail import MailStore, NewSubscriber


@pytest.fixture
def subscriber(web_config, request):
    email = f"{request.node.name[:40].replace('[', '-').replace(']', '')}@example.org"
    with MailStore(web_config.db_path) as box:
        box.add([NewSubscriber(email, "Reader", partners=("MEX",))])
        who = box.subscriber(email)
    return who, tokens.unsubscribe_token(tokens.secret_key(web_config.data_dir), who.id, email)


def status(web_config, email: str) -> str:
    with MailStore(web_config.db_path) as box:
        return box.subscriber(email).status


def test_a_get_shows_a_button_and_changes_nothing(client, web_config, subscriber):
    who, token = subscriber
    response = client.get(f"/unsubscribe/{token}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert f'<form method="post" action="/unsubscribe/{token}">' in text
    assert "csrf_token" not in text and who.email not in text
    assert status(web_config, who.email) == "active"


def test_the_one_click_post_unsubscribes_without_login_or_csrf_token(client, web_config, subscriber):
    who, token = subscriber
    response = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(as_text=True)
    assert status(web_config, who.email) == "unsubscribed"
    again = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200 and "already unsubscribed" in again.get_data(as_text=True)


@pytest.mark.parametrize("token", ["nonsense", "AQ.AAAAAAAAAAAAAAAAAAAAAA", "..%2F..%2Fetc%2Fpasswd", "x" * 300,
                                   "__________8.AAAAAAAAAAAAAAAAAAAAAA", "gAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA"])
def test_a_bad_token_is_a_readable_400(client, token):
    for method in (client.get, client.post) if token == "nonsense" else (client.post,):
        response = method(f"/unsubscribe/{token}")
        assert response.status_code in (400, 404)
        text = response.get_data(as_text=True)
        assert "<h1>" in text and "Traceback" not in text


def test_a_forged_signature_unsubscribes_nobody(client, web_config, subscriber):
    who, token = subscriber
    number, _, signature = token.partition(".")
    forged = f"{number}.{'A' * len(signature)}"
    response = client.post(f"/unsubscribe/{forged}")
    assert response.status_code == 400
    assert "This unsubscribe link does not work" in response.get_data(as_text=True)
    assert status(web_config, who.email) == "active"
