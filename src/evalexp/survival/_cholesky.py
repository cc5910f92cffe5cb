"""A generalised Cholesky (LDL') factorisation that never raises, as R survival's ``cholesky2``.

A symmetric positive semi-definite matrix ``A`` (an information matrix) is scaled to unit
diagonal, ``R = D^-1/2 A D^-1/2`` with ``D = diag(A)``, and factorised as ``R = L P L'``
without pivoting. A pivot below ``toler`` (the share of a column's variance left once
the earlier columns are accounted for: a constant column, or one collinear with earlier
ones), a zero or non-finite diagonal element, is declared *singular*: its pivot is set to
zero and the column takes no part in the elimination. ``solve`` then gives zero to the
singular components and solves the system of the others exactly, and ``inverse`` is the
inverse of the non-singular block with zero rows and columns for the singular ones —
R ``coxph``'s ``chsolve2`` and ``chinv2``. Only NumPy arithmetic is used (the unit
triangle is inverted by forward substitution), so the outcome never depends on whether a LAPACK routine warns or raises
on an ill-conditioned matrix (``scipy.linalg.solve`` does either, depending on the build).

R survival (``coxfit6.c``) uses the same idea with ``toler.chol = eps^0.75`` relative to
the largest diagonal element of the internally rescaled matrix; the unit-diagonal scaling
here makes the tolerance relative to each column's own information.
"""
from __future__ import annotations

import numpy as np

#: A pivot of the unit-diagonal matrix below this is singular (R: ``toler.chol``).
TOLER = 1e-10


class GeneralizedCholesky:
    """LDL' factors of a symmetric matrix with singular columns set aside (see the module docstring).

    Attributes
    ----------
    singular : numpy.ndarray of bool
        The columns declared singular.
    """

    def __init__(self, matrix: np.ndarray, toler: float = TOLER):
        a = np.array(matrix, dtype=float)
        p = a.shape[0]
        diag = np.diag(a).copy()
        usable = np.isfinite(diag) & (diag > 0)
        scale = np.where(usable, 1.0 / np.sqrt(np.where(usable, diag, 1.0)), 0.0)
        a = a * scale[:, None] * scale[None, :]
        lower = np.eye(p)
        pivots = np.zeros(p)
        for i in range(p):
            pivot = a[i, i]
            if not usable[i] or not np.isfinite(pivot) or pivot < toler:
                continue
            pivots[i] = pivot
            column = a[i + 1:, i] / pivot
            lower[i + 1:, i] = column
            a[i + 1:, i + 1:] -= np.outer(column, column) * pivot
        self.singular = pivots == 0
        self._scale = scale
        self._keep = np.flatnonzero(~self.singular)
        sub = lower[np.ix_(self._keep, self._keep)]
        inv = np.eye(self._keep.size)
        for i in range(1, self._keep.size):  # forward substitution of the unit lower triangle
            inv[i] -= sub[i, :i] @ inv[:i]
        self._lower_inv = inv
        self._pivots = pivots[self._keep]

    def inverse(self) -> np.ndarray:
        """Inverse of the non-singular block, zero rows and columns for the singular ones."""
        p = self.singular.size
        out = np.zeros((p, p))
        block = (self._lower_inv.T / self._pivots) @ self._lower_inv
        s = self._scale[self._keep]
        out[np.ix_(self._keep, self._keep)] = block * s[:, None] * s[None, :]
        return (out + out.T) / 2.0

    def solve(self, b: np.ndarray) -> np.ndarray:
        """``x`` with ``x_singular = 0`` and the non-singular block solved exactly."""
        return self.inverse() @ np.asarray(b, dtype=float)
