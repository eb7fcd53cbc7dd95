"""ganplay: a small, deterministic GAN training core for 2-D toy data (no Streamlit inside).

Names are loaded on first use (PEP 562), so `import ganplay.charts` does not pay for torch.
"""
import importlib

_HOMES = {"RunConfig": "config", "Change": "schedule", "DATASETS": "datasets", "Dataset": "datasets", "from_array": "datasets",
          "load_dataset": "datasets", "Run": "runs", "SideBySide": "runs", "Snapshot": "runs",
          "Trainer": "runs", "train": "runs", "VARIANTS": "variants"}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'ganplay' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value  # once: later look-ups skip this function
    return value


def __dir__():
    return sorted({*globals(), *_HOMES})
