"""Input standardisation fitted on the training set only."""

from __future__ import annotations

import numpy as np

from layerwise.errors import DataError, NotFittedError, ShapeError

from .validation import check_X

__all__ = ["Standardizer"]


class Standardizer:
    """Zero mean, unit variance per feature: X_norm = (X - mu) / sqrt(sigma2 + eps).

    ``fit`` on the training set X (n_x, m) sets ``mu_`` = mean over examples (n_x, 1) and
    ``sigma2_`` = variance over examples (n_x, 1); ``transform`` then applies the same
    statistics to train, dev and test sets alike.
    """

    def __init__(self, eps: float = 1e-8) -> None:
        self.eps = eps

    def fit(self, X) -> Standardizer:
        """Learn mu (n_x, 1) and sigma2 (n_x, 1) from training inputs X (n_x, m)."""
        X = check_X(X, "X")
        self.mu_ = np.mean(X, axis=1, keepdims=True, dtype=np.float64)
        self.sigma2_ = np.var(X, axis=1, keepdims=True, dtype=np.float64)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "mu_"):
            raise NotFittedError(
                "this Standardizer is not fitted yet: call fit(X_train) before transform"
            )

    def _checked(self, X, name: str) -> np.ndarray:
        self._check_fitted()
        X = check_X(X, name)
        if X.shape[0] != self.mu_.shape[0]:
            raise ShapeError(
                f"{name} has {X.shape[0]} rows but the Standardizer was fitted on "
                f"n_x = {self.mu_.shape[0]} features ({name} must be (n_x, m))"
            )
        return X

    def transform(self, X) -> np.ndarray:
        """(X - mu) / sqrt(sigma2 + eps) for X (n_x, m); keeps X's float dtype."""
        X = self._checked(X, "X")
        scale = np.sqrt(self.sigma2_ + self.eps)
        return ((X - self.mu_) / scale).astype(X.dtype, copy=False)

    def fit_transform(self, X) -> np.ndarray:
        """fit(X) then transform(X)."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X_norm) -> np.ndarray:
        """Undo :meth:`transform`: X_norm * sqrt(sigma2 + eps) + mu, X_norm (n_x, m)."""
        X_norm = self._checked(X_norm, "X_norm")
        scale = np.sqrt(self.sigma2_ + self.eps)
        return (X_norm * scale + self.mu_).astype(X_norm.dtype, copy=False)

    def to_dict(self) -> dict[str, np.ndarray]:
        """Fitted state as plain arrays (mu, sigma2, eps), e.g. to store in a model .npz."""
        self._check_fitted()
        return {
            "mu": self.mu_.copy(),
            "sigma2": self.sigma2_.copy(),
            "eps": np.array(self.eps, dtype=np.float64),
        }

    @classmethod
    def from_dict(cls, state: dict) -> Standardizer:
        """Rebuild a fitted Standardizer from :meth:`to_dict`'s arrays."""
        try:
            mu = np.array(state["mu"], dtype=np.float64)
            sigma2 = np.array(state["sigma2"], dtype=np.float64)
            eps = float(np.asarray(state.get("eps", 1e-8)))
        except KeyError as exc:
            raise DataError(
                f"Standardizer state lacks {exc.args[0]!r}: expected mu and sigma2 (n_x, 1)"
            ) from None
        except (TypeError, ValueError) as exc:
            raise DataError(f"Standardizer state is not numeric: {exc}") from None
        if mu.ndim != 2 or mu.shape[1] != 1 or sigma2.shape != mu.shape:
            raise DataError(
                f"Standardizer state has mu {mu.shape} and sigma2 {sigma2.shape}: "
                "both must be (n_x, 1)"
            )
        if np.any(sigma2 < 0) or not (np.all(np.isfinite(mu)) and np.all(np.isfinite(sigma2))):
            raise DataError("Standardizer state must hold finite mu and sigma2 >= 0")
        obj = cls(eps=eps)
        obj.mu_ = mu
        obj.sigma2_ = sigma2
        return obj

    def __repr__(self) -> str:
        fitted = f", n_x={self.mu_.shape[0]}" if hasattr(self, "mu_") else ""
        return f"Standardizer(eps={self.eps}{fitted})"
