"""`aegui decode`: the glyph or image at a latent point, a grid over two latent dimensions, or
samples from a VAE's prior."""
from __future__ import annotations

import json
import sys

from aegui.cli.common import UserError, load_model_dir, parse_dims, parse_point, parse_range
from aegui.core.schema.experiment import shown


def add_parsers(sub) -> None:
    """Adds `decode`: a latent point, a grid over two dimensions or a VAE's prior samples."""
    d = sub.add_parser("decode", help="the glyph or image at a latent point, a grid over two latent "
                       "dimensions, or samples from a VAE's prior")
    d.add_argument("model", help="model folder (or its .json / .safetensors)")
    d.add_argument("--z", type=parse_point, help="latent point, e.g. 0.5,-1.2")
    d.add_argument("--grid", type=int, metavar="N",
                   help="instead of one point: an N x N mosaic over the dataset's codes (first two dims)")
    d.add_argument("--dims", type=parse_dims, default=(0, 1), metavar="I,J",
                   help="with --grid: the latent dimensions along x and y (default 0,1); the others "
                   "stay at the dataset's mean code")
    d.add_argument("--range", type=parse_range, metavar="LO,HI",
                   help="with --grid: the values each of the two dimensions runs over (default: the "
                   "range of the dataset's codes), e.g. -2.5,2.5 for a VAE")
    d.add_argument("--around", metavar="LABEL",
                   help="with --grid: the other latent dimensions take this sample's code (e.g. grinning) "
                   "instead of the dataset's mean, and the grid spans its code +/- 2 unless --range says")
    d.add_argument("--axes", action="store_true",
                   help="with --grid: a figure with each axis's values and name instead of the bare mosaic")
    d.add_argument("--samples", type=int, metavar="N",
                   help="instead of one point: an N x N mosaic of decodes of codes drawn from a VAE's "
                   "prior N(0, I)")
    d.add_argument("--seed", type=int, default=0, help="with --samples: seed of the draws (default 0)")
    d.add_argument("--out", help="also write a PNG here (required with --grid, --samples and image models)")


def cmd_decode(args) -> int:
    """`aegui decode`: the picture at --z (printed as text for a glyph, written with --out), or a grid (--grid)
    or prior samples (--samples) as a PNG. Returns the exit status."""
    from aegui.core.models import latent
    from aegui.core.data.glyphs import array_to_text

    model, exp, meta = load_model_dir(args.model)
    shape = _sample_shape(meta, exp)
    if args.grid is not None and args.samples is not None:
        raise UserError("give --grid N or --samples N, not both")
    if args.grid is not None:
        return _decode_grid(args, model, exp, shape)
    if args.samples is not None:
        return _decode_samples(args, model, exp, shape)
    if args.z is None:
        raise UserError("give --z X,Y (a latent point), --grid N --out FILE.png or --samples N --out FILE.png")
    if len(args.z) != model.latent_dim:
        raise UserError(f"--z has {len(args.z)} values; this model's latent space has {model.latent_dim} "
                        f"dimensions")
    glyph = shape == (7, 5)
    if not glyph and not args.out:
        raise UserError(f"this model decodes {'x'.join(map(str, shape))} images, which do not print as text; "
                        "add --out FILE.png")
    img = latent.decode_points(model, [args.z])[0].reshape(shape)
    if glyph:
        print(array_to_text(img))
    if args.out:
        if glyph:
            from aegui.core.files.png import save_png
            save_png(img, args.out, scale=20)
        else:
            from aegui.core.analyses.figures import save_image
            save_image(img, args.out)
        print(f"wrote {args.out}", file=sys.stderr)
    if not glyph:
        print(json.dumps({"z": args.z, "shape": list(shape), "out": args.out}))
    return 0


def _sample_shape(meta, exp) -> tuple[int, ...]:
    """(H, W) or (H, W, C) of the model's samples: saved beside it since the image sources; older
    models are 5x7 glyphs."""
    if meta.get("shape"):
        return tuple(int(v) for v in meta["shape"])
    from aegui.core.archs import arch_of
    if arch_of(exp.model).reads_images:
        return tuple(exp.model.input_shape)
    return (7, 5)


def _save_mosaic(images, shape, n_rows, n_cols, path) -> None:
    """Decoded samples [rows*cols, D] as one PNG, tiles one light-grey pixel apart, small
    samples enlarged with crisp pixels (5x7 glyphs and 8x8 digits by 8)."""
    from PIL import Image

    from aegui.core.data.display import is_gray, mosaic, to_uint8
    from aegui.core.analyses.figures import auto_scale
    gray = is_gray(shape)
    px = to_uint8(images.reshape(n_rows * n_cols, *shape), gray=gray)
    pil = Image.fromarray(mosaic(px.reshape(n_rows, n_cols, *px.shape[1:]), 1), "L" if gray else "RGB")
    scale = 8 if max(shape[:2]) <= 8 else auto_scale(shape)
    from aegui.core.files.png import save_picture
    save_picture(pil.resize((pil.width * scale, pil.height * scale), Image.NEAREST), path)


def _decode_grid(args, model, exp, shape) -> int:
    import numpy as np

    from aegui.core.models import latent
    from aegui.core.data.datasets import from_config
    if not args.out:
        raise UserError("--grid needs --out FILE.png")
    if not 2 <= args.grid <= 64:
        raise UserError("--grid must be between 2 and 64")
    n, dim = args.grid, model.latent_dim
    dims = tuple(args.dims) if dim > 1 else (0, 0)
    if dim > 1 and (max(dims) >= dim or dims[0] == dims[1]):
        raise UserError(f"--dims {dims[0]},{dims[1]}: give two different latent dimensions from 0 to {dim - 1}")
    data = from_config(exp.data)
    codes = latent.encode(model, data.x)
    lo, hi = codes.min(0), codes.max(0)
    base = codes.mean(0)
    if args.around is not None:
        if args.around not in data.labels:
            near = [label for label in data.labels if args.around.lower() in label.lower()][:5]
            hint = f"; did you mean {', '.join(near)}?" if near else "; labels are as `aegui eval` lists them"
            raise UserError(f"--around {shown(args.around)}: no sample of {data.name} has that label{hint}")
        base = codes[data.labels.index(args.around)]
        lo, hi = base - 2.0, base + 2.0
    if args.range:
        rect = (args.range[0], args.range[1]) * 2 if dim > 1 else (*args.range, 0.0, 0.0)
    else:
        rect = (lo[dims[0]], hi[dims[0]], lo[dims[1]], hi[dims[1]]) if dim > 1 else (lo[0], hi[0], 0.0, 0.0)
    if args.axes:
        from aegui.core.analyses.figures import latent_traversal
        decode = lambda z: latent.decode_points(model, z)   # noqa: E731
        xs = np.linspace(rect[0], rect[1], n)
        ys = np.linspace(rect[2], rect[3], n) if dim > 1 else None
        latent_traversal(decode, xs, ys, shape=shape, dims=dims, latent_dim=dim, base=base, path=args.out)
    else:
        tiles = latent.decode_grid(model, rect, n, n, dims, base)
        _save_mosaic(tiles, shape, n, n, args.out)
    print(json.dumps({"grid": n, "dims": list(dims), "rect": [round(float(v), 4) for v in rect],
                      "around": args.around, "axes": bool(args.axes), "out": args.out}))
    return 0


def _decode_samples(args, model, exp, shape) -> int:
    import numpy as np

    from aegui.core.models import latent
    from aegui.core.schema.experiment import KIND_LABELS
    if not model.is_vae:
        raise UserError(f"--samples draws codes from a VAE's prior N(0, I), and this model is a "
                        f"{KIND_LABELS.get(exp.model.kind, exp.model.kind)} autoencoder without one; "
                        "use --grid N to see its latent space")
    if not args.out:
        raise UserError("--samples needs --out FILE.png")
    if not 1 <= args.samples <= 64:
        raise UserError("--samples must be between 1 and 64")
    n = args.samples
    z = np.random.default_rng(args.seed).standard_normal((n * n, model.latent_dim)).astype(np.float32)
    _save_mosaic(latent.decode_points(model, z), shape, n, n, args.out)
    print(json.dumps({"samples": n * n, "seed": args.seed, "out": args.out}))
    return 0


HANDLERS = {"decode": cmd_decode}
