"""`aegui replay`: how a model's latent codes moved while it trained, from the snapshots saved
with it, as an animated GIF or a folder of PNG frames."""
from __future__ import annotations

from pathlib import Path

from aegui.cli.common import UserError, load_model_dir


def add_parsers(sub) -> None:
    """Adds `replay`: a model's latent snapshots as a GIF or PNG frames."""
    r = sub.add_parser("replay", help="how the latent codes moved while the model trained (saved "
                       "snapshots) as an animated GIF or PNG frames")
    r.add_argument("model", help="model folder (or its .json / .safetensors)")
    r.add_argument("--out", required=True,
                   help="FILE.gif for an animation, or a folder for frame-000.png, frame-001.png ...")
    r.add_argument("--size", type=int, default=480, help="side of each frame in pixels (default 480)")
    r.add_argument("--frame-ms", type=int, default=150, help="milliseconds a GIF frame shows (default 150)")


def cmd_replay(args) -> int:
    """`aegui replay`: reads the snapshots saved with a model and writes them as an animated GIF or a folder of
    PNG frames. Returns the exit status."""
    from aegui.core.analyses.replay import export
    from aegui.core.runs.storage import model_paths
    from aegui.core.train.snapshots import ReplayError, load_replay

    if not 64 <= args.size <= 4096:
        raise UserError(f"--size {args.size} must be between 64 and 4096 pixels")
    if args.frame_ms < 10:
        raise UserError(f"--frame-ms {args.frame_ms} must be at least 10")
    _, _, meta = load_model_dir(args.model)
    entry = meta.get("replay")
    sidecar = model_paths(args.model)[1]
    if not isinstance(entry, dict):
        raise UserError(f"{sidecar}: this model was saved without a latent replay; train it in the "
                        "aegui app (replay recording is on by default) and save it")
    try:
        store = load_replay(model_paths(args.model)[0], entry)
    except ReplayError as e:
        raise UserError(str(e)) from None
    n = store.arrays()[0].shape[1]
    labels = entry.get("labels") or [str(k) for k in range(n)]
    if len(labels) != n:
        raise UserError(f"{sidecar}: the replay names {len(labels)} samples but holds codes of {n}")
    out = Path(args.out)
    if out.suffix.lower() not in ("", ".gif"):
        raise UserError(f"--out {out}: give a .gif file, or a folder for the PNG frames")
    count = export(store, labels, out, size=args.size, frame_ms=args.frame_ms)
    print(f"{count} frames (epochs {int(store.epochs()[0])}-{int(store.epochs()[-1])}) -> {out}")
    return 0


HANDLERS = {"replay": cmd_replay}
