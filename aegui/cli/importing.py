"""`aegui import FILE`: a student's JSON (or YAML) config as the aegui config it would train (on stdout, or
--out), with the table of how each key was read (stderr); or a student's saved network (layers
with W and B) as an aegui model folder."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from aegui.cli.common import UserError, out_folder


def add_parsers(sub) -> None:
    """Adds `import`: a student's config shown as aegui's, or a student's saved network made a model."""
    p = sub.add_parser("import", help="show the aegui config a student's JSON or YAML config becomes (and how "
                       "each key was read), or make an aegui model of a student's saved network")
    p.add_argument("file", help="a student's config (JSON, or YAML: .yaml / .yml), or a network saved as JSON "
                   "(layers with W and B)")
    p.add_argument("--out", help="config: write it to this file instead of stdout; network: the model folder "
                   "(default: runs/<file name>)")
    p.add_argument("--lenient", action="store_true",
                   help="import even when a key that may change training is not understood or not possible")
    p.add_argument("--force", action="store_true", help="network: replace another model in --out")


def tell_table(imported, stream=None) -> None:
    """The import's table on stderr, under the file's name."""
    stream = stream or sys.stderr
    if imported.native:
        print(f"aegui: {imported.table()}", file=stream)
        return
    print(f"aegui: how {imported.source} was read:", file=stream)
    print(imported.table(), file=stream)


def cmd_import(args) -> int:
    """`aegui import`: a student's config prints as aegui's config with how each key was read; a saved network
    (layers with W and B) becomes a model folder. Returns the exit status."""
    from aegui.core.files.userfile import read_text
    from aegui.core.config.load import parse_config, read_config_text
    from aegui.core.runs.student_weights import is_student_network

    path = Path(args.file)
    try:
        text = read_text(path, "config")
    except FileNotFoundError:
        raise UserError(f"{path}: file not found; check the path") from None
    raw = parse_config(text, str(path))
    if is_student_network(raw):
        return _import_network(args, path, raw)
    imported = read_config_text(text, str(path), path.parent)
    tell_table(imported)
    if imported.blocking and not args.lenient:
        raise imported.refusal()
    config = imported.experiment.to_json() + "\n"
    if args.out:
        from aegui.core.files.atomic import atomic_write_text
        atomic_write_text(Path(args.out), config)
        print(f"aegui: wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(config)
    return 0


def _import_network(args, path: Path, raw: dict) -> int:
    from aegui.core.runs.student_weights import import_network
    out = out_folder(args.out) if args.out else Path("runs") / path.stem
    trained, net = import_network(raw, str(path), out, args.force)
    spec = net.spec
    print(f"aegui: {path}: a network of {'-'.join(map(str, spec.full_layers))}, hidden {spec.hidden_activation}, "
          f"code {spec.latent_activation}, output {spec.output_activation}; W written "
          f"{'[out, in]' if net.layout == 'out_in' else '[in, out]'} ({net.how})", file=sys.stderr)
    m = trained.metrics
    print(f"aegui: it reconstructs {m['dataset']} with at most {m['max_wrong_pixels']} wrong pixels a glyph "
          f"(mean {m['mean_wrong_pixels']:.3f})", file=sys.stderr)
    print(f"saved {out}/model.safetensors and model.json", file=sys.stderr)
    print(json.dumps({**m, "model": str(out)}))
    return 0


HANDLERS = {"import": cmd_import}
