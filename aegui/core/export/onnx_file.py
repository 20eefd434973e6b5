"""The .onnx format: a trained model for ONNX runtimes (onnxruntime and the runtimes of browsers,
phones and other languages) as two files written as one set: FILE.onnx, the whole autoencoder
(input x: pixels in [0, 1], one row a sample; outputs reconstruction, code, and a VAE's mu and
logvar), and FILE.decoder.onnx, the decoder alone (input code, output reconstruction), both with
a free batch axis. onnx_net.py makes the torch modules and runs torch's exporter, the torch.export
based one: the TorchScript one needs the onnx package all the same, is deprecated, and has no
aten::cosh. Its packages (onnx, onnxscript) are the `export` extra's; the packaged app leaves
them out, so there an export says what to install.

A model's layer kinds and activations are checked first against the ones
tests/core/export/test_export_onnx.py holds to aegui's numbers through onnxruntime: a kind added to
aegui without that check is refused by name, not written unverified."""
from __future__ import annotations

from importlib import import_module
from pathlib import Path

from aegui.core.export.formats import Format, register
from aegui.core.export.plan import ExportError
from aegui.core.export.target import Exported, check_target, write_files

# Every layer kind of aegui's networks (Slot: dense; param_layouts.Block: linear, conv, deconv,
# local; layer_kinds.LAYER_KINDS) and every activation (layers.ACTIVATIONS), each exported and
# checked against aegui's own outputs.
ONNX_LAYER_KINDS = frozenset({"dense", "linear", "conv", "deconv", "local", "maxpool", "upsample", "batchnorm",
                              "reshape"})
ONNX_ACTIVATIONS = frozenset({"relu", "leaky_relu", "elu", "tanh", "sigmoid", "softplus", "cosh", "identity"})
# What torch's exporter imports besides torch itself.
EXPORTER_MODULES = ("torch.onnx", "onnx", "onnxscript")


def decoder_path(path: Path) -> Path:
    """FILE.onnx's decoder: FILE.decoder.onnx beside it."""
    return path.with_name(f"{path.stem}.decoder{path.suffix}")


def check_onnx(path: Path) -> None:
    """ExportError when the decoder's file name is taken by a folder."""
    decoder = decoder_path(path)
    if decoder.is_dir():
        raise ExportError(f"{decoder}: a folder of that name is in the way of the decoder's file; move it "
                          "or choose another name for the model's file")


def layers_of(model) -> list:
    """The layers the network runs, each with its name, kind and activation ("" for none): a
    layer list's every step (pooling, batch-norm and reshapes too), another network's weighted
    layers; none for a network that lists no layers."""
    if hasattr(model, "enc_steps"):
        return [*model.enc_steps, *model.dec_steps]
    return list(model.layers()) if hasattr(model, "layers") else []


def check_layers(model, name: str) -> None:
    """ExportError naming the model and its first layer whose kind or activation has no checked
    ONNX version."""
    for layer in layers_of(model):
        if layer.kind not in ONNX_LAYER_KINDS:
            raise ExportError(f"{name}: its layer {layer.name} ({layer.kind}) has no ONNX version in aegui's "
                              "export yet; export a model without that kind of layer")
        if layer.activation and layer.activation not in ONNX_ACTIVATIONS:
            raise ExportError(f"{name}: the activation {layer.activation} of its layer {layer.name} has no ONNX "
                              "version in aegui's export yet; export a model without that activation")
    if model.output_activation not in ONNX_ACTIVATIONS:
        raise ExportError(f"{name}: its output activation {model.output_activation} has no ONNX version in "
                          "aegui's export yet; export a model without that activation")


def missing_package(target: Path, module: str) -> str:
    """The sentence for an exporter's package that cannot be imported."""
    if module.split(".")[0] == "torch":
        return (f"{target}: writing ONNX needs torch's ONNX exporter ({module}), which this aegui was packaged "
                "without; install aegui with pip install 'aegui[export]' and export from there")
    return (f"{target}: writing ONNX needs the Python package {module.split('.')[0]}, which is not installed; "
            "install it with pip install 'aegui[export]' and export again")


def _check_exporter(target: Path) -> None:
    for module in EXPORTER_MODULES:
        try:
            import_module(module)
        except ImportError:
            raise ExportError(missing_package(target, module)) from None


def _shape_text(shape) -> str:
    return "x".join(str(n) for n in shape)


def _props(model, exp, dataset, name: str) -> dict[str, str]:
    """What the files say of themselves (ONNX metadata): the model, the pictures' shape and how a
    picture is one row of x."""
    import aegui
    shape = tuple(dataset.shape)
    layout = "row by row" + (", the channels of a pixel together" if len(shape) == 3 else "")
    return {"aegui_version": aegui.__version__, "model": name, "sample_shape": _shape_text(shape),
            "input": f"one row of {model.input_dim} values in [0, 1] a sample: the {_shape_text(shape)} pixels "
                     f"{layout}",
            "code": f"{model.latent_dim} values" + (" (the means of a VAE)" if model.is_vae else "")}


def write_onnx(model, exp, dataset, path, train: bool = False, name: str | None = None) -> Exported:
    """Write K = 1 network `model` (with its Experiment and the dataset it is evaluated on, for the
    files' metadata) to `path` (.onnx) and its decoder to FILE.decoder.onnx, as one set.
    ExportError for a target, model or exporter it cannot write with (nothing is written then)."""
    target = check_target(path)
    name = name or exp.name
    if train:
        raise ExportError(f"{target}: --train writes a training loop into a .py script; an .onnx file holds "
                          "the trained network only, so export it without --train")
    check_layers(model, name)
    _check_exporter(target)
    from aegui.core.export import onnx_net
    try:
        whole, decoder = onnx_net.export_pair(model, _props(model, exp, dataset, name), name)
    except ImportError as e:
        raise ExportError(missing_package(target, e.name or "onnx")) from None
    decoder_file = decoder_path(target)
    write_files(target, f"{target.name}.export", {target.name: whole, decoder_file.name: decoder})
    outputs = "reconstruction, code, mu, logvar" if model.is_vae else "reconstruction, code"
    note = (f"the whole autoencoder (x: rows of {model.input_dim} pixels in [0, 1] -> {outputs}) and its "
            "decoder alone (code -> reconstruction); run them with onnxruntime")
    return Exported(target, decoder_file, len(whole), len(decoder), True, note)


register(Format(".onnx", "ONNX models", write_onnx, check_onnx))
