"""Side-by-side speed of layerwise against PyTorch and scikit-learn; see run.py."""
