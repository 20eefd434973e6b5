"""Import the JSON configs students of the course write.

Two shapes are common: flat ({"layers": [...], "learning_rate": ..., "activation_fn": ...})
and nested ({"model": {...}, "training": {...}, "denoising": {...}}). Keys are matched by
name after lower-casing; everything not understood is reported, never silently dropped.
"""
from __future__ import annotations

from dataclasses import replace

from aegui.core.config.experiment import ConfigError, Experiment, validate

# key -> (section, field); several spellings students use map to one field.
_KEYS = {
    "layers": ("model", "layers"), "architecture": ("model", "layers"),
    "layer_sizes": ("model", "layers"), "hidden_layers": ("model", "hidden"),
    "latent_dim": ("model", "latent"), "latent_size": ("model", "latent"),
    "encoder_layers": ("model", "encoder"),
    "activation_fn": ("model", "hidden_activation"), "activation": ("model", "hidden_activation"),
    "activation_function": ("model", "hidden_activation"),
    "hidden_activation": ("model", "hidden_activation"),
    "latent_activation": ("model", "latent_activation"),
    "output_activation": ("model", "output_activation"), "output_activation_fn": ("model", "output_activation"),
    "init_method": ("model", "init"), "init": ("model", "init"), "weight_init": ("model", "init"),
    "initialization": ("model", "init"),
    "beta": ("model", "beta"), "kl_weight": ("model", "beta"), "kl_warmup": ("model", "kl_warmup"),
    "type": ("model", "kind"), "model_type": ("model", "kind"), "kind": ("model", "kind"),
    "learning_rate": ("train", "learning_rate"), "lr": ("train", "learning_rate"),
    "eta": ("train", "learning_rate"),
    "epochs": ("train", "epochs"), "max_epochs": ("train", "epochs"), "n_epochs": ("train", "epochs"),
    "loss_function": ("train", "loss"), "loss": ("train", "loss"),
    "optimizer": ("train", "optimizer"), "optimizer_type": ("train", "optimizer"),
    "momentum": ("train", "momentum"), "alpha": ("train", "momentum"),
    "batch_size": ("train", "batch_size"), "seed": ("train", "seed"), "random_seed": ("train", "seed"),
    "n_runs": ("train", "seeds"), "runs": ("train", "seeds"), "seeds": ("train", "seeds"),
    "weight_decay": ("train", "weight_decay"),
    "decay_rate": ("train", "decay_rate"), "lr_decay": ("train", "decay_rate"),
    "noise_level": ("noise", "level"), "noise_prob": ("noise", "level"), "noise": ("noise", "level"),
    "noise_type": ("noise", "kind"),
    "font": ("data", "fonts"), "fonts": ("data", "fonts"), "dataset": ("data", "fonts"),
    "chars": ("data", "chars"), "characters": ("data", "chars"),
}
_NESTED = ("model", "training", "train", "denoising", "noise", "data", "dataset", "optimizer_params")

_VALUES = {
    "hidden_activation": {"logistic": "sigmoid", "lrelu": "leaky_relu", "leakyrelu": "leaky_relu",
                          "linear": "identity", "none": "identity"},
    "init": {"random": "uniform", "glorot": "xavier", "xavier_uniform": "xavier", "kaiming": "he",
             "he_normal": "he", "he_uniform": "he"},
    "loss": {"binary_crossentropy": "bce", "binary_cross_entropy": "bce", "cross_entropy": "bce",
             "crossentropy": "bce", "bce": "bce", "mean_squared_error": "mse", "mse": "mse"},
    "optimizer": {"gd": "sgd", "gradient_descent": "sgd", "sgd_momentum": "momentum"},
    "kind": {"autoencoder": "ae", "denoising": "dae", "denoising_autoencoder": "dae",
             "variational": "vae", "vae": "vae", "ae": "ae", "dae": "dae"},
    "noise": {"salt_and_pepper": "salt_pepper", "salt-and-pepper": "salt_pepper", "saltpepper": "salt_pepper",
              "bitflip": "bit_flip", "flip": "bit_flip", "gauss": "gaussian", "normal": "gaussian"},
}


def _flatten(raw: dict, notes: list[str]) -> dict:
    flat = {}
    for key, value in raw.items():
        k = str(key).lower()
        if k in _NESTED and isinstance(value, dict):
            for sub, v in value.items():
                s = str(sub).lower()
                if k in ("denoising", "noise") and s in ("level", "probability", "prob", "p"):
                    s = "noise_level"
                elif k in ("denoising", "noise") and s in ("type", "kind"):
                    s = "noise_type"
                elif k in ("denoising",) and s == "enabled":
                    flat["__denoise"] = v
                    continue
                if s in flat:
                    notes.append(f"'{key}.{sub}' repeats '{s}'; the later value is used")
                flat[s] = v
        else:
            flat[k] = value
    return flat


def _norm_value(field: str, value):
    if isinstance(value, str):
        v = value.strip().lower().replace(" ", "_")
        table = _VALUES.get("noise" if field == "noise_kind" else field, {})
        if field in ("output_activation", "latent_activation"):
            table = _VALUES["hidden_activation"]
        return table.get(v, v)
    return value


def import_student_config(raw, source: str | None = None) -> tuple[Experiment, list[str]]:
    if not isinstance(raw, dict):
        raise ConfigError("(top level)", "a configuration must be a JSON object", source)
    notes: list[str] = []
    flat = _flatten(raw, notes)
    sections = {"model": {}, "train": {}, "noise": {}, "data": {}}
    ignored = []
    for key, value in flat.items():
        if key == "__denoise":
            continue
        target = _KEYS.get(key)
        if target is None:
            ignored.append(key)
            continue
        section, name = target
        norm_name = "noise_kind" if (section, name) == ("noise", "kind") else name
        sections[section][name] = _norm_value(norm_name, value)

    m, t, n, d = sections["model"], sections["train"], sections["noise"], sections["data"]
    exp = Experiment(name=str(raw.get("name", "imported")))
    try:
        if "hidden" in m or "latent" in m or "encoder" in m:
            enc = list(m.pop("encoder", m.pop("hidden", [])))
            latent = m.pop("latent", None)
            if latent is not None:
                enc = enc + [latent]
            m["layers"] = [35] + enc if not enc or enc[0] != 35 else enc
            m["mirror"] = True
        if "layers" in m:
            m["layers"] = tuple(int(v) for v in m["layers"])
        if "fonts" in d:
            fonts = d["fonts"]
            fonts = [fonts] if isinstance(fonts, (str, int)) else list(fonts)
            d["fonts"] = tuple(f"Font{f}" if isinstance(f, int) or str(f).isdigit() else str(f) for f in fonts)
        for key in ("epochs", "seeds", "batch_size", "seed", "kl_warmup"):
            for sec in (t, m):
                if key in sec and isinstance(sec[key], float) and sec[key].is_integer():
                    sec[key] = int(sec[key])
        if t.get("optimizer") == "sgd" and float(t.get("momentum", 0) or 0) > 0:
            t["optimizer"] = "momentum"
            notes.append("optimizer 'sgd' with momentum > 0 was read as 'momentum'")
        if "noise" in raw or "denoising" in raw or "noise_level" in flat:
            if flat.get("__denoise", True) and m.get("kind", "ae") == "ae":
                m["kind"] = "dae"
        if t.get("loss") == "mse" and "output_activation" not in m:
            m["output_activation"] = "sigmoid"
        for key, value in list(t.items()):
            if key in ("learning_rate", "momentum", "weight_decay", "decay_rate") and isinstance(value, int):
                t[key] = float(value)
        exp = replace(exp, model=replace(exp.model, **m), train=replace(exp.train, **t),
                      noise=replace(exp.noise, **n), data=replace(exp.data, **d))
        validate(exp)
    except ConfigError as e:
        raise ConfigError(e.field, e.problem, source) from None
    except (TypeError, ValueError) as e:
        raise ConfigError("(student config)", f"a value has the wrong type ({e})", source) from None
    if ignored:
        notes.insert(0, "ignored keys: " + ", ".join(sorted(ignored)))
    return exp, notes
