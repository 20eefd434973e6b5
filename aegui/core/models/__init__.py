"""The networks: MLP, conv and local autoencoders as K stacked models on one flat buffer (nets, conv,
local, layers), their layouts without torch (arch), loss terms (losses), the objective of each model
kind (objectives), and encode/decode helpers (latent). Which network a spec gets is the
architecture registry's answer (aegui/core/archs/)."""
