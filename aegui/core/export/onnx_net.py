"""A trained network as the torch modules the .onnx format hands to torch's ONNX exporter, and the
export itself: the whole autoencoder (x -> reconstruction, code, and a VAE's mu and logvar) and its
decoder alone (code -> reconstruction), both from one export, each computing what aegui computes
outside training (models/latent.py: encode, decode_points and, for the reconstruction, denoise)
with one network (K = 1). Imported only when an .onnx file is written: it needs torch and the
exporter's packages."""
from __future__ import annotations

import io
import logging
import warnings
from contextlib import contextmanager, redirect_stderr, redirect_stdout

import torch

from aegui.core.export.plan import ExportError

# Loggers that speak while a model is exported (torchvision's ops it skips, the shapes torch.export
# guards, the operator it failed on); a user exporting a model has no use for them, and a failure
# is said in one sentence (ExportError).
QUIET_LOGGERS = ("torch.onnx", "torch.export", "torch._export", "torch.fx.experimental.symbolic_shapes",
                 "torch._subclasses", "torch._dynamo")

# Elements a folded constant may have: more than any network aegui trains (onnxscript's default,
# 8192, left a VAE's whole flat buffer in its decoder's file).
FOLD_LIMIT = 2 ** 31 - 1


class WholeModel(torch.nn.Module):
    """x [N, D] (pixels in [0, 1], one row a sample) -> reconstruction [N, D] after the output
    activation, code [N, L] (a VAE's means), and a VAE's mu and logvar. The reconstruction keeps
    the input's pixels the model is unsure of when its spec asks so (model.flip_confidence above
    0.5), as latent.denoise and so `aegui eval` do."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.confidence = float(getattr(net.spec, "flip_confidence", 0.5))

    def forward(self, x: torch.Tensor):
        net = self.net
        if net.is_vae:
            raw = net.encode_raw(x)[0][0]             # the means, then the log-variances
            mu, logvar = raw[:, :net.latent_dim], raw[:, net.latent_dim:]
            code = mu                                 # outside training a VAE's code is its mean
        else:
            code = net.encode(x)[0]
        out = net.decode(code)[0]
        if self.confidence > 0.5:
            out = _keep_sure(x, out, self.confidence)
        return (out, code, mu, logvar) if net.is_vae else (out, code)


def _keep_sure(x: torch.Tensor, out: torch.Tensor, confidence: float) -> torch.Tensor:
    """latent.keep_sure in torch: the output where the model is at least `confidence` sure that a
    pixel of the 0 / 1 input is wrong, the input's pixel everywhere else."""
    on = x >= 0.5
    # Written with and / or, not a choice between booleans: onnxruntime has no Where of booleans.
    flip = (on & (out <= 1.0 - confidence)) | (~on & (out >= confidence))
    return torch.where(flip, out, on.to(out.dtype))


class DecoderModel(torch.nn.Module):
    """code [N, L] -> reconstruction [N, D] after the output activation (latent.decode_points)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, code: torch.Tensor) -> torch.Tensor:
        return self.net.decode(code)[0]


@contextmanager
def _quiet():
    """The exporter's warnings, log lines and prints (torch.export prints the graph it failed on)
    held back; the loggers' levels put back as they were. Process-wide while it lasts (a few
    seconds): an export on the window's worker holds back the other threads' prints meanwhile."""
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings(), redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def _root_cause(e: BaseException) -> str:
    """The first line of the innermost error under `e` (the exporter wraps what failed in a
    paragraph on its own steps)."""
    seen = {id(e)}
    while (e.__cause__ or e.__context__) is not None and id(e.__cause__ or e.__context__) not in seen:
        e = e.__cause__ or e.__context__
        seen.add(id(e))
    line = (str(e).strip().splitlines() or [type(e).__name__])[0]
    return line if len(line) <= 200 else line[:197] + "..."


def _name_outputs(graph, names: list[str]) -> None:
    """The graph's outputs named as asked again: a VAE's code is its mu, one tensor, and the
    exporter names both outputs after one of them (the other an Identity of it)."""
    for i, value in enumerate(graph.outputs):
        value.name = f"aegui_output_{i}"          # first apart, so that no two share a name meanwhile
    for value, name in zip(graph.outputs, names):
        value.name = name


def _exported(module: torch.nn.Module, examples: tuple, inputs: list[str], outputs: list[str], name: str):
    """`module` exported (torch.export, then ONNX) as an onnx ModelProto with the first axis of
    each input left free (a batch: its size is called `batch` for the first input, INPUT_batch
    for the others), its inputs and outputs named as given. ExportError naming the model when the
    exporter cannot write it; ImportError for a package the exporter lacks."""
    from onnxscript import optimizer
    batch = tuple({0: torch.export.Dim("batch" if i == 0 else f"{n}_batch")} for i, n in enumerate(inputs))
    try:
        with _quiet():
            program = torch.onnx.export(module, examples, dynamo=True, verbose=False, optimize=False,
                                        input_names=inputs, output_names=outputs, dynamic_shapes=batch)
            # Every weight is a slice of the network's one flat buffer: folded whatever its size,
            # each layer keeps its own weights and the decoder's file none of the encoder's.
            optimizer.optimize(program.model, input_size_limit=FOLD_LIMIT, output_size_limit=FOLD_LIMIT)
            _name_outputs(program.model.graph, outputs)
            return program.model_proto
    except ImportError:
        raise
    except Exception as e:
        raise ExportError(f"{name}: torch's ONNX exporter could not write its network ({_root_cause(e)}); "
                          "export it as a .py script instead") from None


def _part(proto, inputs: list[str], outputs: list[str], renamed: dict[str, str], props: dict[str, str]) -> bytes:
    """The file of what `outputs` need from `inputs` in `proto` (the nodes and weights on that
    path only), names (of values and of sizes) changed as `renamed` says, `props` in its metadata."""
    import onnx
    from onnx.utils import Extractor
    part = Extractor(proto).extract_model(inputs, outputs)
    graph = part.graph
    for node in graph.node:
        node.input[:] = [renamed.get(n, n) for n in node.input]
        node.output[:] = [renamed.get(n, n) for n in node.output]
    for value in (*graph.input, *graph.output, *graph.value_info):
        value.name = renamed.get(value.name, value.name)
        for dim in value.type.tensor_type.shape.dim:
            if dim.HasField("dim_param"):
                dim.dim_param = renamed.get(dim.dim_param, dim.dim_param)
    onnx.helper.set_model_props(part, props)
    return part.SerializeToString()


class PairModel(torch.nn.Module):
    """(x, codes) -> the whole model's outputs for x, then the decoder's reconstruction of codes:
    the two files come from one export, split (the exporter's set-up is most of its time)."""

    def __init__(self, net):
        super().__init__()
        self.whole, self.decoder = WholeModel(net), DecoderModel(net)

    def forward(self, x: torch.Tensor, codes: torch.Tensor):
        return (*self.whole(x), self.decoder(codes))


def export_pair(net, props: dict[str, str], name: str) -> tuple[bytes, bytes]:
    """(the whole autoencoder's .onnx, the decoder's .onnx) of network `net`, each with `props` in
    its metadata; `net` is copied first as a K = 1 network on the CPU, so a model the window is
    showing is left alone. ExportError / ImportError as `_exported`."""
    one = net.select(0)
    outputs = ["reconstruction", "code"] + (["mu", "logvar"] if one.is_vae else [])
    # In the export the decoder's input and output need names apart from the whole model's.
    codes, decoded = "decoder_code", "decoder_reconstruction"
    # Two samples (torch.export takes a first axis of 1 for a constant), drawn from their own
    # generator so that exporting leaves torch's global one where it was.
    gen = torch.Generator().manual_seed(0)
    examples = (torch.rand(2, one.input_dim, generator=gen), torch.randn(2, one.latent_dim, generator=gen))
    proto = _exported(PairModel(one).eval(), examples, ["x", codes], outputs + [decoded], name)
    return (_part(proto, ["x"], outputs, {}, props),
            _part(proto, [codes], [decoded], {codes: "code", decoded: "reconstruction", f"{codes}_batch": "batch"},
                  props))
