"""The web page's language switch: the same briefing's Spanish edition at ?lang=es, from the real app."""

from __future__ import annotations

import pypdf


def test_the_switch_shows_the_spanish_edition(client, editor):
    english = client.get("/briefings/MEX/2024", headers=editor).get_data(as_text=True)
    assert 'href="/briefings/MEX/2024?lang=es" hreflang="es-MX" lang="es-MX">Español</a>' in english
    assert 'src="/briefings/MEX/2024/html"' in english

    spanish = client.get("/briefings/MEX/2024?lang=es", headers=editor).get_data(as_text=True)
    assert "Déficit comercial de Estados Unidos con México alcanza récord" in spanish
    assert 'href="/briefings/MEX/2024" hreflang="en" lang="en">English</a>' in spanish
    assert 'src="/briefings/MEX/2024/html?lang=es"' in spanish
    assert 'href="/briefings/MEX/2024/pdf?lang=es"' in spanish

    page = client.get("/briefings/MEX/2024/html?lang=es", headers=editor)
    assert page.status_code == 200 and '<html lang="es-MX">' in page.get_data(as_text=True)


def test_the_spanish_pdf_is_named_and_tagged_for_its_language(client, editor, tmp_path):
    response = client.get("/briefings/MEX/2024-01/pdf?lang=es", headers=editor)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="MEX-2024-01.es.pdf"'
    (tmp_path / "b.pdf").write_bytes(response.data)
    assert pypdf.PdfReader(tmp_path / "b.pdf").trailer["/Root"]["/Lang"] == "es-MX"


def test_a_name_moves_to_the_canonical_address_keeping_the_language(client, editor):
    response = client.get("/briefings/mx/2024?lang=es", headers=editor)
    assert response.status_code == 302 and response.headers["Location"] == "/briefings/MEX/2024?lang=es"


def test_an_unknown_language_is_a_readable_400(client, editor):
    response = client.get("/briefings/MEX/2024?lang=fr", headers=editor)
    assert response.status_code == 400
    assert "language &#39;fr&#39;: reportgen writes en or es" in response.get_data(as_text=True)
