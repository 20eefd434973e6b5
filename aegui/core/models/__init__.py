"""The networks and what they are made of: the contract every network keeps (network), one torch
network a built-in architecture (<arch>_net: mlp_net, conv_net, local_net, convlayers_net, each the
network of aegui/core/archs/<arch>.py), the pieces they share (layers: activations, initialisation),
their parameter layouts without torch (param_layouts), the layer kinds a "convlayers" model's lines
are written in (layer_kinds), loss terms (losses), the objective of each model kind (objectives),
and encode/decode helpers (latent). Which network a spec gets is the architecture registry's answer
(aegui/core/archs/)."""
