"""Filling the model builder's form as a user would, for the window's tests: choose an entry of a
combo by its key, set up a small fully connected autoencoder."""


def pick(combo, key):
    combo.setCurrentIndex(combo.findData(key))


def small_mlp(builder, latent: int = 2, epochs: int = 4, check_every: int | None = None, hidden: int = 16):
    """A plain MLP autoencoder, one hidden layer of `hidden` units each side, on whatever data the
    form shows: the quickest model that still draws a map and a reconstruction."""
    pick(builder.form.widget("model.kind"), "ae")
    pick(builder.form.widget("model.arch"), "mlp")
    builder.model.encoder_editor.set_values([hidden])
    builder.model.decoder_editor.set_values([hidden])
    builder.form.widget("model.latent").setValue(latent)
    builder.form.widget("train.epochs").setValue(epochs)
    if check_every is not None:
        builder.form.widget("train.check_every").setValue(check_every)
