"""The words of the trade, each explained in one sentence wherever the window uses it.

A student meets "latent space", "wrong pixels", "KL", "BCE", "PSNR", "β" and "momentum" in field
labels, chart titles and table headers. Each has one definition here (English through tr(), its
Spanish in resources/i18n/es.json); `terms_in(english)` finds which of them a text names, so a
label and its tooltip cannot drift apart, and `with_terms` adds their definitions to a tooltip.
"""
from __future__ import annotations

import re

from aegui.qt.i18n import tr

# term -> (how an English text names it, its definition in one sentence)
TERMS: dict[str, tuple[re.Pattern, str]] = {
    "latent space": (re.compile(r"\blatent\b", re.IGNORECASE),
                     "Latent space: the short codes the encoder makes, one point per sample; the decoder "
                     "turns any point of it back into a picture."),
    "wrong pixels": (re.compile(r"\bwrong\b", re.IGNORECASE),
                     "Wrong pixels: pixels of the reconstruction that, rounded to black or white, differ from "
                     "the original (the assignment asks for at most 1 per character)."),
    "KL": (re.compile(r"\bKL\b"),
           "KL (Kullback–Leibler divergence): how far one probability distribution is from another, 0 when "
           "they match; a VAE adds the KL of its codes from N(0, I) to its loss."),
    "BCE": (re.compile(r"\bBCE\b"),
            "BCE (binary cross-entropy): a reconstruction loss for pixels between 0 and 1 that punishes a "
            "confidently wrong pixel much harder than squared error does."),
    "PSNR": (re.compile(r"\bPSNR\b"),
             "PSNR (peak signal-to-noise ratio): 10·log10(1 / MSE) in decibels; higher is a closer "
             "reconstruction, and 10 dB more is a tenth of the squared error."),
    "β": (re.compile("β"),
          "β: the weight of the KL term in a VAE's loss; a larger β gives a tidier latent space and "
          "blurrier reconstructions."),
    "momentum": (re.compile(r"\bmomentum\b", re.IGNORECASE),
                 "Momentum: the part of the last step that SGD adds to the next one, so steps gather speed "
                 "along a steady slope (0.9 is usual)."),
}


def explain(term: str) -> str:
    """The definition of `term` (a key of TERMS) in the interface language."""
    return tr(TERMS[term][1])


def terms_in(*english: str) -> list[str]:
    """The terms the English texts name, in the order of TERMS."""
    return [term for term, (pattern, _) in TERMS.items() if any(t and pattern.search(t) for t in english)]


def with_terms(tip: str, *english: str) -> str:
    """`tip` (already translated, may be "") followed by the definition of every term the English
    texts name, one a line."""
    return "\n".join([tip] * bool(tip) + [explain(t) for t in terms_in(*english)])


def field_tip(field) -> str:
    """A config field's tooltip (aegui/core/config/fields.py): its own tip, then the terms its
    label, tip and choices name (the loss field explains BCE, the optimizer momentum)."""
    return with_terms(tr(field.tip) if field.tip else "", field.label, field.tip,
                      *(str(v) for v in field.choice_labels.values()))
