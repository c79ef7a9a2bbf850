"""Run the course experiment: YOLO from scratch on synthetic shapes (course 4, week 3).

Same as `layerwise course yolo`; pass --help for the flags. The default run trains for a
few minutes on two cores and prints mAP@0.5 on 500 held-out scenes.
"""

from layerwise.course.experiments import run_example

if __name__ == "__main__":
    run_example("yolo")
