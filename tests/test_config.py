"""Config: every key has a default, files are validated, problems name the key and the file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen.config import Config, load_config
from reportgen.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_one_key_is_a_valid_file(tmp_path):
    config = load_config(write(tmp_path, "briefing:\n  page_size: Letter\n"))
    assert config.briefing.page_size == "Letter"
    assert config.briefing.locale == "en_US" and config.http.retries == 3


def test_relative_paths_are_taken_from_the_config_folder(tmp_path):
    config = load_config(write(tmp_path, "data_dir: store\n"))
    assert config.data_dir == tmp_path / "store" and config.db_path == tmp_path / "store" / "reportgen.db"
    assert config.output_dir == tmp_path / "output"


def test_data_dir_option_wins(tmp_path):
    config = load_config(write(tmp_path, "data_dir: store\n"), data_dir=tmp_path / "elsewhere")
    assert config.data_dir == tmp_path / "elsewhere"


def test_every_problem_is_reported_with_its_key_and_file(tmp_path):
    path = write(tmp_path, "census:\n  bulk_ulr: x\nbriefing:\n  page_size: A5\nhttp:\n  timeout: -1\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert "census.bulk_ulr: unknown key" in message
    assert "briefing.page_size" in message and "'A5'" in message
    assert "http.timeout" in message
    assert "\n" not in message


@pytest.mark.parametrize(("text", "expected"), [
    ("census: [1, 2\n", "not valid YAML at line"),
    ("- a\n- b\n", "expected a mapping"),
    ("briefing:\n  locale: xx_YY\n", "briefing.locale: not a locale Babel knows"),
    ("census:\n  bulk_url: ftp://example.org/x\n", "census.bulk_url: must be an http"),
])
def test_bad_files(tmp_path, text, expected):
    with pytest.raises(ConfigError, match=expected):
        load_config(write(tmp_path, text))


def test_a_file_that_is_not_utf8_is_one_clear_error(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_bytes("publisher:\n  name: Comercio Exterior de M\u00e9xico\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"config.yaml: not UTF-8 text \(byte 0xe9 at line 2\)"):
        load_config(path)


def test_yaml_aliases_are_refused_before_anything_expands(tmp_path):
    """A billion-laughs config (nine levels of ten aliases) took 83 s and 11 GB; five levels show the same path."""
    levels = [f"l0: &l0 [{', '.join(['lol'] * 10)}]"]
    levels += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 5)]
    refused = r"config.yaml: YAML aliases \(\*name\) are not allowed in reportgen's config at line 2"
    with pytest.raises(ConfigError, match=refused):
        load_config(write(tmp_path, "\n".join(levels) + "\npartners: *l4\n"))


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(tmp_path / "nope.yaml")


def test_the_shipped_config_is_valid_and_documents_every_key():
    shipped = (ROOT / "config.yaml").read_text(encoding="utf-8")
    load_config(ROOT / "config.yaml")

    def keys(model, prefix=""):
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            if hasattr(type(value), "model_fields"):
                yield from keys(value, f"{prefix}{name}.")
            else:
                yield f"{prefix}{name}", field

    for key, field in keys(Config()):
        leaf = key.rsplit(".", 1)[-1]
        found = re.search(rf"^[ ]*{leaf}:", shipped, re.MULTILINE)
        assert found, f"config.yaml does not document {key}"
        assert field.description, f"{key} has no help text"
        line = shipped[: found.start()].rstrip().splitlines()[-1].strip()
        assert line.startswith("#"), f"{key} in config.yaml has no comment above it"
