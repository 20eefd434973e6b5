"""Failures reach the user as one sentence naming the file, never as Python's raw text."""
import pytest

from aegui.core.schema.experiment import ConfigError
from aegui.core.config.load import load_experiment

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def test_a_png_loaded_as_a_config_is_named_as_a_png(tmp_path):
    path = tmp_path / "picture.png"
    path.write_bytes(PNG)
    with pytest.raises(ConfigError) as err:
        load_experiment(path)
    text = str(err.value)
    assert "codec" not in text and "0x89" not in text
    assert "PNG image" in text and "picture.png" in text


def test_os_errors_lose_the_errno_and_say_what_to_do(tmp_path):
    from aegui.core.files.errors import is_expected, user_message
    font = tmp_path / "garbage_font.h"
    font.write_text("junk")
    try:
        (font / "model.json").read_bytes()
    except OSError as e:
        text = user_message(e, font)
    assert "Errno" not in text and "garbage_font.h" in text and "not a folder" in text
    assert is_expected(ConfigError("x", "y")) and not is_expected(KeyError("k"))


def test_a_non_model_file_opened_as_a_model_is_refused_in_a_sentence(tmp_path):
    pytest.importorskip("torch")
    from aegui.core.runs.storage import ModelFileError, load_model
    font = tmp_path / "garbage_font.h"
    font.write_text("junk")
    with pytest.raises(ModelFileError) as err:
        load_model(font)
    assert "Errno" not in str(err.value) and "not an aegui model" in str(err.value)
