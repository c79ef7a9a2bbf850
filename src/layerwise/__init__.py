"""layerwise: deep learning from scratch in NumPy, in the course's notation."""
__version__ = "0.1.0"
