"""Import the JSON configs students of the course write.

Two shapes are common: flat ({"layers": [...], "learning_rate": ..., "activation_fn": ...})
and nested ({"model": {...}, "training": {...}, "denoising": {...}}). Keys are matched by
name after lower-casing; everything not understood is reported, never silently dropped.
"""
from __future__ import annotations

from dataclasses import replace

from aegui.core.schema.experiment import ConfigError, Experiment, shown
from aegui.core.schema.kinds import kind_of
from aegui.core.config.validation import validate

# key -> (section, field); several spellings students use map to one field.
_KEYS = {
    "layers": ("model", "layers"), "architecture": ("model", "layers"),
    "layer_sizes": ("model", "layers"), "hidden_layers": ("model", "hidden"),
    "latent_dim": ("model", "latent"), "latent_size": ("model", "latent"),
    "encoder_layers": ("model", "encoder"), "encoder": ("model", "encoder"),
    "decoder_layers": ("model", "decoder"), "decoder": ("model", "decoder"),
    "input_dim": ("model", "input"), "input_size": ("model", "input"), "input_shape": ("model", "input"),
    "latent_space_dim": ("model", "latent"), "latent_dimension": ("model", "latent"),
    "code_size": ("model", "latent"), "bottleneck": ("model", "latent"),
    "activation_fn": ("model", "hidden_activation"), "activation": ("model", "hidden_activation"),
    "activation_function": ("model", "hidden_activation"),
    "hidden_activation": ("model", "hidden_activation"),
    "latent_activation": ("model", "latent_activation"),
    "output_activation": ("model", "output_activation"), "output_activation_fn": ("model", "output_activation"),
    "dropout": ("model", "dropout"), "dropout_rate": ("model", "dropout"),
    "init_method": ("model", "init"), "init": ("model", "init"), "weight_init": ("model", "init"),
    "initialization": ("model", "init"),
    "beta": ("model", "beta"), "kl_weight": ("model", "beta"), "kl_warmup": ("model", "kl_warmup"),
    "type": ("model", "kind"), "model_type": ("model", "kind"), "kind": ("model", "kind"),
    "learning_rate": ("train", "learning_rate"), "lr": ("train", "learning_rate"),
    "eta": ("train", "learning_rate"),
    "epochs": ("train", "epochs"), "max_epochs": ("train", "epochs"), "n_epochs": ("train", "epochs"),
    "loss_function": ("train", "loss"), "loss": ("train", "loss"), "loss_fn": ("train", "loss"),
    "reconstruction_loss": ("train", "loss"), "error_function": ("train", "loss"),
    "optimizer": ("train", "optimizer"), "optimizer_type": ("train", "optimizer"),
    "optimizer_name": ("train", "optimizer"), "method": ("train", "optimizer"),
    "learning_rate_init": ("train", "learning_rate"), "beta_kl": ("model", "beta"),
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
    # Pixels are on/off, so a "cross entropy" in an autoencoder's config is the binary one.
    "loss": {"binary_crossentropy": "bce", "binary_cross_entropy": "bce", "cross_entropy": "bce",
             "crossentropy": "bce", "bce": "bce", "cross_entropy_loss": "bce", "bce_loss": "bce",
             "binary_cross_entropy_loss": "bce", "binary_crossentropy_loss": "bce", "log_loss": "bce",
             "logloss": "bce", "bce_with_logits": "bce", "bcewithlogits": "bce", "bceloss": "bce",
             "bcewithlogitsloss": "bce", "mseloss": "mse",
             "mean_squared_error": "mse", "mse": "mse", "mse_loss": "mse", "squared_error": "mse",
             "mean_square_error": "mse", "l2": "mse", "quadratic": "mse"},
    "optimizer": {"gd": "sgd", "gradient_descent": "sgd", "sgd_momentum": "momentum",
                  "momentum_gd": "momentum", "gradient_descent_momentum": "momentum", "adam_optimizer": "adam",
                  "l-bfgs": "bfgs", "l-bfgs-b": "bfgs", "conjugate_gradient": "cg"},
    "kind": {"autoencoder": "ae", "denoising": "dae", "denoising_autoencoder": "dae", "variational": "vae"},
    "noise": {"salt_and_pepper": "salt_pepper", "salt-and-pepper": "salt_pepper", "saltpepper": "salt_pepper",
              "bitflip": "bit_flip", "flip": "bit_flip", "gauss": "gaussian", "normal": "gaussian"},
}


# A value given as an object: {"type": "adam", "lr": 0.001} names the choice under one of
# these keys and flattens the rest; {"hidden": "relu", "output": "sigmoid"} sets each role.
_NAME_KEYS = ("type", "name", "kind", "method", "function", "fn", "id")
_NAMED_OBJECTS = ("optimizer", "optimizer_type", "loss", "loss_function", "loss_fn", "activation",
                  "activation_fn", "activation_function", "noise_type", "type", "model_type", "init",
                  "init_method", "weight_init", "initialization")
_ACT_ROLES = {"hidden": "hidden_activation", "latent": "latent_activation", "code": "latent_activation",
              "bottleneck": "latent_activation", "output": "output_activation", "out": "output_activation",
              "final": "output_activation"}
# A layer given as an object: its size under one of these keys, its activation under another.
_UNIT_KEYS = ("units", "size", "neurons", "nodes", "n_units", "n_neurons", "dim", "out_features",
              "output_dim", "width")
_LAYER_ACT_KEYS = ("activation", "activation_fn", "activation_function", "act")
LAYER_FORM = '[25, 10] or [{"units": 25, "activation": "relu"}, {"units": 10, "activation": "relu"}]'
_FORMS = {"int": "a whole number such as 100", "float": "a number such as 0.01",
          "str": 'a name such as "adam"', "bool": "true or false", "int | None": "a whole number or null"}


def _flatten(raw: dict, notes: list[str], origin: dict[str, str]) -> dict:
    """One flat {lower-case key: value}; origin[key] keeps where it was written (for messages)."""
    flat: dict = {}

    def put(s: str, v, where: str) -> None:
        if s in flat:
            notes.append(f"'{where}' repeats '{s}'; the later value is used")
        flat[s], origin[s] = v, where

    def put_value(s: str, v, where: str) -> None:
        if isinstance(v, dict) and s in _NAMED_OBJECTS:
            low = {str(a).lower(): b for a, b in v.items()}
            if s.startswith("activation") and set(low) & set(_ACT_ROLES):
                for role, b in low.items():
                    put(_ACT_ROLES.get(role, role), b, f"{where}.{role}")
                return
            name_key = next((n for n in _NAME_KEYS if n in low), None)
            if name_key is not None:
                put(s, low.pop(name_key), f"{where}.{name_key}")
                for a, b in low.items():
                    put(a, b, f"{where}.{a}")
                return
        put(s, v, where)

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
                put_value(s, v, f"{key}.{sub}")
        else:
            put_value(k, value, str(key))
    return flat


def _layer_list(where: str, value) -> tuple[list[int], list]:
    """Sizes and activations (None where not given) of a layer list written as numbers or as
    {"units": N, "activation": "relu"} objects; anything else is refused naming `where`."""
    items = [value] if isinstance(value, (int, float, dict)) and not isinstance(value, bool) else value
    if not isinstance(items, list):
        raise ConfigError(where, f"a layer list looks like {LAYER_FORM}; got {shown(value)}")
    sizes, acts = [], []
    for i, item in enumerate(items):
        n, act = item, None
        if isinstance(item, dict):
            low = {str(a).lower(): b for a, b in item.items()}
            unit_key = next((u for u in _UNIT_KEYS if u in low), None)
            if unit_key is None:
                raise ConfigError(f"{where}[{i}]", f"a layer object gives its size under \"units\"; "
                                  f"got {shown(item)}; the accepted form is {LAYER_FORM}")
            n = low[unit_key]
            act = next((low[a] for a in _LAYER_ACT_KEYS if a in low), None)
        if isinstance(n, float) and n.is_integer():
            n = int(n)
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise ConfigError(f"{where}[{i}]", f"a layer size is a positive whole number; got {shown(item)}; "
                              f"the accepted form is {LAYER_FORM}")
        if act is not None and not isinstance(act, str):
            raise ConfigError(f"{where}[{i}]", f"an activation is a name such as \"relu\"; got {shown(act)}")
        sizes.append(n)
        acts.append(_norm_value("hidden_activation", act) if act is not None else None)
    return sizes, acts


def _common(acts: list, where: str, notes: list[str]):
    """The one activation the layers share (the first, with a note, when they differ)."""
    given = [a for a in acts if a is not None]
    if not given:
        return None
    if len(set(given)) > 1:
        notes.append(f"{where}: aegui uses one hidden activation; '{given[0]}' was used for all "
                     f"(the file lists {', '.join(dict.fromkeys(given))})")
    return given[0]


def _input_size(where: str, value) -> int:
    if isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        out = 1
        for v in value:
            out *= v
        return out
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise ConfigError(where, "the input size is a whole number such as 35 (or a shape such as [7, 5]); "
                      f"got {shown(value)}")


def _layers(m: dict, origin: dict[str, str], notes: list[str]) -> None:
    """model.layers (and activations) from `layers`, or from encoder / latent / decoder parts."""
    where = {name: origin.get(key, key) for key, (sec, name) in _KEYS.items() if key in origin}
    acts: dict[str, object] = {}
    if "layers" in m:
        m.pop("input", None)
        sizes, lacts = _layer_list(where.get("layers", "layers"), m["layers"])
        if not sizes:    # a fuzzed case: an empty list read lacts[-1]
            raise ConfigError(where.get("layers", "layers"), f"lists no layer; the accepted form is {LAYER_FORM}")
        m["layers"] = tuple(sizes)
        acts = {"hidden": _common(lacts[1:-1], where.get("layers", "layers"), notes), "output": lacts[-1]}
    elif any(k in m for k in ("hidden", "latent", "encoder", "decoder")):
        enc_key = "encoder" if "encoder" in m else "hidden"
        enc, enc_acts = _layer_list(where.get(enc_key, enc_key), m.pop(enc_key, m.pop("hidden", [])))
        in_dim = _input_size(where.get("input", "input_dim"), m.pop("input")) if "input" in m else 35
        if enc and enc[0] == in_dim and len(enc) > 1:
            enc, enc_acts = enc[1:], enc_acts[1:]
        latent = m.pop("latent", None)
        if latent is None:
            if not enc:
                raise ConfigError(where.get(enc_key, enc_key), "give the latent size (latent_dim) or end the "
                                  f"encoder with the code layer, as in {LAYER_FORM}")
            latent, lat_act = enc[-1], enc_acts[-1]
            enc, enc_acts = enc[:-1], enc_acts[:-1]
            acts["latent"] = lat_act
        elif not isinstance(latent, int) or isinstance(latent, bool) or latent <= 0:
            raise ConfigError(where.get("latent", "latent_dim"),
                              f"the latent size is a whole number such as 2; got {shown(latent)}")
        acts["hidden"] = _common(enc_acts, where.get(enc_key, enc_key), notes)
        if "decoder" in m:
            dec, dec_acts = _layer_list(where.get("decoder", "decoder_layers"), m.pop("decoder"))
            if dec and dec[0] == latent:
                dec, dec_acts = dec[1:], dec_acts[1:]
            if dec and dec[-1] == in_dim:
                acts["output"] = dec_acts[-1]
                dec, dec_acts = dec[:-1], dec_acts[:-1]
            if acts["hidden"] is None:
                acts["hidden"] = _common(dec_acts, where.get("decoder", "decoder_layers"), notes)
            m["layers"] = (in_dim, *enc, latent, *dec, in_dim)
        else:
            m["layers"] = (in_dim, *enc, latent)
            m["mirror"] = True
    for role, value in acts.items():
        if value is not None:
            m.setdefault(f"{role}_activation", value)


def _check_types(sections: dict, origin: dict[str, str]) -> None:
    """A value of the wrong kind is refused naming the key it was written under."""
    from dataclasses import fields as dc_fields

    from aegui.core.schema.experiment import _SECTIONS
    where = {(sec, name): origin.get(key, key) for key, (sec, name) in _KEYS.items() if key in origin}
    for section, values in sections.items():
        types = {f.name: f.type for f in dc_fields(_SECTIONS[section])}
        for name, value in values.items():
            t = types.get(name)
            ok = {"int": lambda v: isinstance(v, int) and not isinstance(v, bool),
                  "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
                  "str": lambda v: isinstance(v, str),
                  "bool": lambda v: isinstance(v, bool),
                  "int | None": lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool))}.get(t)
            if ok is not None and not ok(value):
                raise ConfigError(where.get((section, name), f"{section}.{name}"),
                                  f"expected {_FORMS[t]}; got {shown(value)}")


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
    origin: dict[str, str] = {}
    flat = _flatten(raw, notes, origin)
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
        if name in ("kind", "hidden_activation", "loss", "optimizer") and isinstance(value, dict):
            raise ConfigError(origin.get(key, key), f"an object here names its choice under \"type\", as in "
                              f'{{"type": "adam", "learning_rate": 0.001}}; got {shown(value)}', source)
        norm_name = "noise_kind" if (section, name) == ("noise", "kind") else name
        sections[section][name] = _norm_value(norm_name, value)

    m, t, n, d = sections["model"], sections["train"], sections["noise"], sections["data"]
    exp = Experiment(name=str(raw.get("name", "imported")))
    try:
        _layers(m, origin, notes)
        if "fonts" in d:
            fonts = d["fonts"]
            fonts = [fonts] if isinstance(fonts, (str, int)) else list(fonts)
            d["fonts"] = tuple(f"Font{f}" if isinstance(f, int) or str(f).isdigit() else str(f) for f in fonts)
        for key in ("epochs", "seeds", "batch_size", "seed", "kl_warmup"):
            for sec in (t, m):
                if key in sec and isinstance(sec[key], float) and sec[key].is_integer():
                    sec[key] = int(sec[key])
        _check_types(sections, origin)
        if t.get("optimizer") == "sgd" and float(t.get("momentum", 0) or 0) > 0:
            t["optimizer"] = "momentum"
            notes.append("optimizer 'sgd' with momentum > 0 was read as 'momentum'")
        if "noise" in raw or "denoising" in raw or "noise_level" in flat:
            noisy = kind_of(str(m.get("kind", Experiment().model.kind))).with_noise
            if flat.get("__denoise", True) and noisy:
                m["kind"] = noisy

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
