"""The ground every package stands on: typed parameters, run handling, names, pinned requirements.

Nothing here trains or names a model, and nothing here imports a package above it: the
model packages, the registry (`models`), `sweep`, `compare` and `dbjobs` import from here.
"""
