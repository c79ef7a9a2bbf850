"""Run the course experiment: a small CNN on the cat pictures (course 4), three seeds.

Same as `layerwise course cat-cnn`; pass --help for the flags.
"""

from layerwise.course.experiments import run_example

if __name__ == "__main__":
    run_example("cat-cnn")
