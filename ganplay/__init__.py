"""ganplay: a small, deterministic GAN training core for 2-D toy data (no Streamlit inside)."""
from .config import RunConfig
from .datasets import DATASETS, Dataset, from_array, load_dataset
from .runs import Run, SideBySide, Snapshot, Trainer, train
from .variants import VARIANTS

__all__ = ["DATASETS", "VARIANTS", "Dataset", "Run", "RunConfig", "SideBySide", "Snapshot", "Trainer",
           "from_array", "load_dataset", "train"]
