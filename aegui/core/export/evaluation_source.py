"""The numpy source of the exported script's data loading, evaluation and command line: what
`aegui eval MODEL` computes (aegui/cli/train.py: cmd_eval for glyphs, _eval_images for pictures),
with the same options and the same JSON keys, so the two can be compared number for number."""
from __future__ import annotations

WEIGHTS = '''
def load_weights():
    """Every weight by its name in aegui ("encoder.0.weight" ...); never unpickled."""
    with np.load(WEIGHTS, allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files if not name.startswith("data.")}
'''

GLYPH_DATA = '''
def load_data():
    """The glyphs as rows of values, 1 for ink and 0 for paper, and their labels."""
    x = np.array([[cell == "#" for cell in rows.replace("|", "")] for _, rows in GLYPHS], np.float32)
    return x, [label for label, _ in GLYPHS], None
'''

STORED_DATA = '''
def load_data():
    """The samples stored beside the weights as rows of values in [0, 1] (bytes / 255 when they
    were stored as bytes), their labels, and which ones training held out (or None)."""
    with np.load(WEIGHTS, allow_pickle=False) as stored:
        x = stored["data.x"]
        if x.dtype == np.uint8:
            x = x.astype(np.float32) / np.float32(255)
        held_out = stored["data.is_val"] if "data.is_val" in stored.files else None
        return x.astype(np.float32), [str(label) for label in stored["data.labels"]], held_out
'''

KEEP_SURE = '''
def keep_sure(x, out, confidence):
    """The output where the model is at least `confidence` sure that a pixel of the 0 / 1 input
    is wrong, the input's pixel everywhere else: the model was saved asking not to "correct" what
    it is unsure of (model.flip_confidence)."""
    on = x >= 0.5
    flip = np.where(on, out <= 1.0 - confidence, out >= confidence)
    return np.where(flip, out, on.astype(np.float32))
'''

GLYPH_EVAL = '''
def evaluate(p, x, labels, held_out, args):
    """Wrong pixels of each glyph's reconstruction (output and glyph on different sides of 0.5),
    as `aegui eval` counts them; with --noise, of noisy copies towards the clean glyph."""
    reps = args.repeats if args.noise else 1
    clean = np.repeat(x, reps, axis=0)
    inputs = clean
    if args.noise:
        inputs = add_noise(clean, args.noise, args.level, np.random.default_rng(args.seed))
    out = reconstruct(p, inputs)
    if FLIP_CONFIDENCE > 0.5:
        out = keep_sure(inputs, out, FLIP_CONFIDENCE)
    wrong = ((out >= 0.5) != (clean >= 0.5)).sum(1)
    per_glyph = wrong.reshape(len(x), reps)
    result = {"max_wrong_pixels": int(wrong.max()), "mean_wrong_pixels": round(float(wrong.mean()), 4),
              "glyphs": len(x), "dataset": DATASET, "noise": args.noise or "none",
              "level": args.level if args.noise else 0.0, "repeats": reps,
              "wrong_per_glyph": {label: round(float(per_glyph[i].mean()), 3) for i, label in enumerate(labels)}}
    if args.noise:
        noisy = ((inputs >= 0.5) != (clean >= 0.5)).sum(1)
        result["mean_wrong_pixels_noisy_input"] = round(float(noisy.mean()), 4)
    return result
'''

IMAGE_EVAL = '''
def evaluate(p, x, labels, held_out, args):
    """Squared error per pixel of each sample's reconstruction, and the summed cross-entropy a
    VAE's loss uses, as `aegui eval` computes them; with --noise, of noisy copies."""
    reps = args.repeats if args.noise else 1
    clean = np.repeat(x, reps, axis=0)
    inputs = clean
    if args.noise:
        inputs = add_noise(clean, args.noise, args.level, np.random.default_rng(args.seed))
    out = np.clip(reconstruct(p, inputs), 1e-6, 1 - 1e-6)
    mse = ((out - clean) ** 2).mean(1).reshape(len(x), reps).mean(1)
    bce = -(clean * np.log(out) + (1 - clean) * np.log(1 - out)).sum(1).reshape(len(x), reps).mean(1)
    result = {"samples": len(x), "mse": round(float(mse.mean()), 6), "bce_per_sample": round(float(bce.mean()), 3),
              "noise": args.noise or "none", "level": args.level if args.noise else 0.0, "repeats": reps}
    if args.noise:
        result["mse_noisy_input"] = round(float(((inputs - clean) ** 2).mean()), 6)
    if held_out is not None:
        result.update(train_mse=round(float(mse[~held_out].mean()), 6), val_mse=round(float(mse[held_out].mean()), 6),
                      val_samples=int(held_out.sum()))
    worst = np.argsort(-mse)[:10]
    result["worst"] = [{"sample": int(i), "label": labels[i], "mse": round(float(mse[i]), 6)} for i in worst]
    return result
'''

MAIN_HEAD = '''
def noise_level(text):
    """--level as aegui reads it: 0.1 or 10%."""
    value = float(text.rstrip("%"))
    if text.endswith("%") or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"noise level {text} must be between 0 and 1 (or 0% and 100%)")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\\n\\n")[0])
    parser.add_argument("--noise", choices=("salt_pepper", "bit_flip", "gaussian"), help="corrupt inputs first")
    parser.add_argument("--level", type=noise_level, default=0.1, help="noise level: 0.1 or 10%% (default 0.1)")
    parser.add_argument("--repeats", type=int, default=10, help="noisy copies per sample (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the noise (default 0)")
'''

MAIN_TRAIN_ARGS = '''    parser.add_argument("--train", action="store_true",
                        help="train the network from scratch first (full batch, Adam), then evaluate that")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"epochs of --train (default {EPOCHS})")
    parser.add_argument("--train-seed", type=int, default=0, help="seed of --train's first weights (default 0)")
'''

MAIN_BODY = '''    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    p = load_weights()
    x, labels, held_out = load_data()
    result = {}
    if getattr(args, "train", False):
        p, losses = train(x, args.epochs, args.train_seed)
        result["trained"] = {"epochs": args.epochs, "seed": args.train_seed,
                             "first_loss": losses[0] if losses else None,
                             "last_loss": losses[-1] if losses else None}
    result.update(evaluate(p, x, labels, held_out, args))
    result.update(EXTRA)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''
