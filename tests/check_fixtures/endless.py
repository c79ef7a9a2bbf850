"""linear_forward that never returns."""


def linear_forward(A, W, b):
    Z = 0
    while True:
        Z += 1
