# Makes python.safetensors with the reference writer (pip install safetensors numpy; safetensors 0.8.0, numpy 2.4.6).
import numpy as np
from safetensors.numpy import save_file

save_file(
    {
        "weight": np.array([[1.5, -0.0, 3e-45], [-2.25, 1e30, 0.1]], dtype=np.float32),
        "bias": np.arange(3, dtype=np.float32) - 1,
        "scalar": np.array(7.0, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
    },
    "python.safetensors",
    metadata={"made_by": "safetensors.numpy", "note": "tunetop fixture"},
)
