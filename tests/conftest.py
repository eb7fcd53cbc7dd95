import torch

# Tiny ops: one thread is fastest, and spare OpenMP threads spin against other processes.
torch.set_num_threads(1)
