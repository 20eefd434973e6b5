"""Numbers written in the interface language: `number(value, spec)` takes a Python format spec and
writes the result with the language's decimal point (0,5 in Spanish, 0.5 in English); tr()
writes the numbers it is given the same way. Both languages write a no-break space before % and
"–" for what is not a number; thousands are grouped only when the spec asks (","), with a narrow
space, in Spanish as the RAE advises (none at four digits, a space from five)."""
import math

import numpy as np
import pytest

from aegui.qt import i18n
from aegui.qt.i18n import number, tr

CASES = [   # value, spec, English, Spanish
    (0.5, ".1f", "0.5", "0,5"),
    (739.6, ".1f", "739.6", "739,6"),
    (-0.25, ".2f", "-0.25", "-0,25"),
    (0.1, ".0%", "10\u00a0%", "10\u00a0%"),
    (0.125, ".1%", "12.5\u00a0%", "12,5\u00a0%"),
    (1e-05, ".3g", "1e-05", "1e-05"),
    (1.5e-05, ".3g", "1.5e-05", "1,5e-05"),
    (-2.5e10, ".3g", "-2.5e+10", "-2,5e+10"),
    (0.01, "g", "0.01", "0,01"),
    (0.01, "", "0.01", "0,01"),
    (12345, "", "12345", "12345"),
    (1234567, "d", "1234567", "1234567"),
    (1797, ",", "1\u202f797", "1797"),
    (60000, ",", "60\u202f000", "60\u202f000"),
    (-12345, ",", "-12\u202f345", "-12\u202f345"),
    (1234567.25, ",.1f", "1\u202f234\u202f567.2", "1\u202f234\u202f567,2"),
    (999, ",", "999", "999"),
    (-3, "", "-3", "-3"),
    (np.float32(0.1), "", "0.1", "0,1"),
    (np.float64(2.75), ".1f", "2.8", "2,8"),
    (math.nan, ".2f", "–", "–"),
    (math.inf, "g", "–", "–"),
    (-math.inf, ".0%", "–", "–"),
    (None, ".2f", "–", "–"),
]


@pytest.mark.parametrize("value, spec, english, spanish", CASES)
def test_number_writes_a_value_in_each_language(value, spec, english, spanish):
    i18n.set_language("en")
    assert number(value, spec) == english
    i18n.set_language("es")
    assert number(value, spec) == spanish


def test_number_refuses_an_underscore_separator():
    """Thousands are grouped with "," in a spec, which each language writes its own way; "_"
    would write code's separator in a sentence."""
    with pytest.raises(ValueError):
        number(12345.5, "_.1f")


def test_tr_writes_the_numbers_it_is_given_in_the_language():
    """Placeholders with a spec in the catalogue ("{speed:.0f}"), without one, and numpy numbers;
    booleans and text pass unchanged."""
    i18n.set_language("es")
    assert tr("mean PSNR {psnr:.1f} dB · MSE {mse:.4f}", psnr=23.45, mse=np.float32(0.01234)) == \
        "PSNR medio 23,4 dB · ECM 0,0123"
    assert tr("{psnr:.1f} dB", psnr=739.66) == "739,7 dB"
    assert tr("Epoch {epoch} · loss {loss}", epoch=12, loss=0.5) == "Época 12 · pérdida 0,5"
    assert tr("{error}", error="lr=0.01") == "lr=0.01"
    i18n.set_language("en")
    assert tr("Epoch {epoch} · loss {loss}", epoch=12, loss=0.5) == "Epoch 12 · loss 0.5"


def test_the_default_qlocale_follows_the_language():
    """Qt's own number texts (spin boxes made from now on) use the language's decimal point."""
    from PySide6.QtCore import QLocale
    i18n.set_language("es")
    assert QLocale().decimalPoint() == ","
    i18n.set_language("en")
    assert QLocale().decimalPoint() == "."


def test_a_number_kept_in_a_sentence_follows_a_later_language_change():
    """Status lines keep their English text and values and are translated again when the language
    changes: a number given as number(x, spec) is written again in the new language."""
    i18n.set_language("es")
    kept = number(0.25, ".2f")
    assert kept == "0,25"
    i18n.set_language("en")
    assert tr("Epoch {epoch} · loss {loss}", epoch=3, loss=kept) == "Epoch 3 · loss 0.25"

