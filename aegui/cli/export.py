"""`aegui export MODEL FILE`: a saved model in the format FILE's suffix names (aegui.core.export), e.g.
a numpy-only .py script that prints what `aegui eval MODEL` prints, or the same as a Jupyter notebook
(.ipynb) with a latent plot, or a web page (.html) of its latent map that decodes the point under
the mouse, or .onnx files for onnxruntime; --train adds a training loop. A format that words what
it wrote itself gives Exported.note; the others' wording is here."""
from __future__ import annotations

import sys

from aegui.cli.common import UserError


def add_parsers(sub) -> None:
    x = sub.add_parser("export", help="write a saved model as a numpy-only Python script or Jupyter notebook "
                       "(weights in a .npz beside it) that prints what `aegui eval` prints, a web page of its "
                       "latent map, or ONNX files")
    x.add_argument("model", help="model folder (or its .json / .safetensors), as `aegui eval` takes it")
    x.add_argument("script", help="the file to write: font3.py (a script) or font3.ipynb (a notebook), their "
                   "weights and data going to font3.npz; font3.html (a web page of the latent map, one file); or "
                   "font3.onnx (for onnxruntime; the decoder alone goes to font3.decoder.onnx)")
    x.add_argument("--train", action="store_true", help="also write a numpy training loop from scratch "
                   "(fully connected plain, denoising and variational autoencoders): python FILE.py --train, or a "
                   "notebook's last cells")


# What to do with the file written, by its suffix where it is not a script to run with python.
NEXT = {".ipynb": "open it in Jupyter and run all cells, or: jupyter nbconvert --to notebook --execute {path}"}


def cmd_export(args) -> int:
    from aegui.core.export import ExportError, export_saved
    try:
        done = export_saved(args.model, args.script, train=args.train)
    except ExportError as e:
        raise UserError(str(e)) from None
    if done.note:
        files = f"{done.script} ({done.script_bytes:,} bytes)"
        if done.weights is not None:
            files += f" and {done.weights.name} ({done.weights_bytes:,} bytes)"
        print(f"wrote {files}: {done.note}", file=sys.stderr)
        return 0
    if done.script.suffix.lower() == ".html":
        print(f"wrote {done.script} ({done.script_bytes:,} bytes): a web page of the model's latent map that "
              "decodes the point under the mouse; open it in a web browser", file=sys.stderr)
        return 0
    what = "forward only (a convolutional model)" if done.forward_only else \
        ("with its training loop" if args.train else "forward pass and evaluation")
    how = NEXT.get(done.script.suffix.lower(), "run it with: python {path}").format(path=done.script)
    print(f"wrote {done.script} ({done.script_bytes:,} bytes) and {done.weights.name} "
          f"({done.weights_bytes:,} bytes): {what}; {how}", file=sys.stderr)
    return 0


HANDLERS = {"export": cmd_export}
