"""Data augmentation: each transform's exact effect on a hand-made image, seeding, and
that only training batches are augmented."""

import numpy as np
import pytest

import layerwise as lw
from layerwise.augment import ColorShift, Compose, Flip, PCAColor, RandomCrop, get_augment


def _image(m: int = 1) -> np.ndarray:
    """(m, 3, 4, 2): distinct values, so every move is visible."""
    return np.arange(m * 3 * 4 * 2, dtype=np.float64).reshape(m, 3, 4, 2) / 100


def test_flip_mirrors_left_right():
    X = _image()
    out = Flip(p=1.0)(X, np.random.default_rng(0))
    np.testing.assert_array_equal(out[0, :, 0], X[0, :, 3])
    np.testing.assert_array_equal(out, X[:, :, ::-1])
    np.testing.assert_array_equal(Flip(p=0.0)(X, np.random.default_rng(0)), X)


def test_flip_draws_one_uniform_per_image():
    X = _image(200)
    out = Flip(p=0.5)(X, np.random.default_rng(3))
    flipped = np.random.default_rng(3).random(200) < 0.5
    np.testing.assert_array_equal(out[flipped], X[flipped, :, ::-1])
    np.testing.assert_array_equal(out[~flipped], X[~flipped])


def test_crop_is_a_shifted_window_of_the_zero_padded_image():
    X = _image(50)
    out = RandomCrop(padding=1)(X, np.random.default_rng(4))
    rng = np.random.default_rng(4)
    top, left = rng.integers(0, 3, 50), rng.integers(0, 3, 50)
    padded = np.pad(X, ((0, 0), (1, 1), (1, 1), (0, 0)))
    for i in range(50):
        np.testing.assert_array_equal(out[i], padded[i, top[i] : top[i] + 3, left[i] : left[i] + 4])
    assert out.shape == X.shape
    np.testing.assert_array_equal(RandomCrop(0)(X, np.random.default_rng(0)), X)


@pytest.mark.parametrize("n, p", [(8, 1), (20, 1), (32, 2), (64, 4)])
def test_the_default_crop_padding_is_a_sixteenth_of_the_picture(n, p):
    X = np.random.default_rng(0).random((3, n, n, 1))
    rng_a, rng_b = np.random.default_rng(7), np.random.default_rng(7)
    np.testing.assert_array_equal(RandomCrop()(X, rng_a), RandomCrop(p)(X, rng_b))


def test_color_shift_adds_one_constant_per_channel():
    X = _image(5) * 0.5 + 0.2  # in [0.2, 0.8]: no clipping
    out = ColorShift(shift=0.1)(X, np.random.default_rng(5))
    delta = out - X
    for i in range(5):
        for c in range(2):
            assert np.ptp(delta[i, :, :, c]) < 1e-12  # one shift for the whole channel
    assert np.all(np.abs(delta) <= 0.1 + 1e-12)


def test_color_shift_clips_to_the_pixel_range():
    X = np.ones((4, 2, 2, 3))
    out = ColorShift(shift=0.5)(X, np.random.default_rng(0))
    assert out.max() <= 1.0 and out.min() >= 0.5


def test_pca_color_follows_the_principal_components():
    """The shift of each image is Σ α_i λ_i p_i: along the eigenvectors of the RGB
    covariance, with the α drawn from N(0, std²)."""
    rng = np.random.default_rng(6)
    X = np.clip(rng.normal(0.5, 0.1, (20, 4, 4, 3)), 0, 1)
    t = PCAColor(std=0.1, low=-10, high=10).fit(X)
    cov = np.cov(X.reshape(-1, 3), rowvar=False)
    lam, P = np.linalg.eigh(cov)
    np.testing.assert_allclose(t.eigenvalues_, lam)
    out = t(X, np.random.default_rng(7))
    alpha = np.random.default_rng(7).normal(0, 0.1, (20, 3))
    expected = X + ((alpha * lam) @ P.T)[:, None, None, :]
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-15)


def test_transforms_never_change_their_input_and_are_seeded():
    X = _image(8)
    before = X.copy()
    t = get_augment("flip,crop,color")
    a, b = t(X, np.random.default_rng(9)), t(X, np.random.default_rng(9))
    np.testing.assert_array_equal(X, before)
    np.testing.assert_array_equal(a, b)
    assert isinstance(t, Compose) and [type(s) for s in t.transforms] == [
        Flip,
        RandomCrop,
        ColorShift,
    ]


def test_none_means_no_augmentation():
    assert (
        get_augment("none") is None and get_augment(" None ") is None and get_augment(None) is None
    )


@pytest.mark.parametrize("bad", ["flip,spin", "", 3])
def test_unknown_augmentations_are_refused(bad):
    with pytest.raises(lw.ConfigError):
        get_augment(bad)


def _cnn(seed: int = 0) -> lw.Sequential:
    return lw.Sequential(
        [lw.Conv2D(2, 3, padding="same"), lw.Flatten(), lw.Dense(2, "softmax")],
        input_dim=(6, 6, 1),
        seed=seed,
        dtype="float64",
    )


def _data():
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 1, (16, 6, 6, 1))
    return X, (X[:, :, :3].mean(axis=(1, 2, 3)) > X[:, :, 3:].mean(axis=(1, 2, 3))).astype(int)


def test_fit_augments_training_batches_only():
    """Training sees transformed batches (the callback records what forward received);
    evaluation and prediction see X itself."""
    X, y = _data()
    seen = []

    class Spy(lw.Callback):
        pass

    model = _cnn()
    forward = model.forward

    def recording(A, training=False):
        seen.append((training, A.copy()))
        return forward(A, training)

    model.forward = recording
    model.fit(X, y.reshape(1, -1), epochs=1, augment=[Flip(p=1.0)], verbose=0, callbacks=[Spy()])
    train = [A for training, A in seen if training]
    np.testing.assert_array_equal(train[0], X[:, :, ::-1])
    seen.clear()
    model.predict(X)
    model.evaluate(X, y.reshape(1, -1))
    assert all(not training for training, _ in seen)
    assert all(np.array_equal(A, X) for _, A in seen)


def test_augmented_training_is_reproducible_and_resumes_exactly(tmp_path):
    X, y = _data()
    Y = y.reshape(1, -1)
    kw = dict(augment="flip,crop,color", batch_size=4, optimizer="adam", verbose=0)
    a = _cnn(3)
    a.fit(X, Y, epochs=6, **kw)
    b = _cnn(3)
    b.fit(X, Y, epochs=3, **kw)
    b.save(tmp_path / "half.npz")
    c = lw.load(tmp_path / "half.npz")
    c.fit(X, Y, epochs=3, **{**kw, "optimizer": None})
    np.testing.assert_array_equal(a.parameter_vector.theta, c.parameter_vector.theta)


def test_augment_needs_an_image_model():
    model = lw.Sequential([lw.Dense(1, "sigmoid")], input_dim=2)
    with pytest.raises(lw.ConfigError, match="images"):
        model.fit(np.ones((2, 4)), np.array([[0, 1, 0, 1]]), augment="flip", verbose=0)
