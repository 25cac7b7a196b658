"""Cronbach's alpha and principal components per aggregate (COINr's get_cronbach and get_PCA),
and PCA / factor-analysis weights (OECD Handbook; Compind's ci_factor)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _pairwise_cov(X: np.ndarray) -> np.ndarray:
    """R's cov(X, use = "pairwise.complete.obs"): each entry on the rows where both columns exist
    (sums over the common rows by matrix products; columns centred first for accuracy)."""
    m = ~np.isnan(X)
    if m.all():
        return np.cov(X, rowvar=False, ddof=1).reshape(X.shape[1], X.shape[1])
    with np.errstate(invalid="ignore"):
        X = X - np.nanmean(np.where(m.any(axis=0), X, 0.0), axis=0)
    X0, M = np.where(m, X, 0.0), m.astype(float)
    n = M.T @ M
    sa = X0.T @ M  # sa[a, b]: sum of column a over the rows where b is present too
    with np.errstate(invalid="ignore", divide="ignore"):
        C = (X0.T @ X0 - sa * sa.T / n) / (n - 1)
    return np.where(n >= 2, C, np.nan)


def cronbach_alpha(X: np.ndarray) -> float:
    """Cronbach's alpha of the columns of X: k/(k - 1) (1 - sum(diag C)/sum(C)).

    COINr `get_cronbach(coin, dset, iCodes, Level, use = "pairwise.complete.obs")`: C is the
    covariance matrix on pairwise-complete rows, `sum(C, na.rm = TRUE)`. Fewer than two columns
    give NaN.
    """
    X = np.asarray(X, dtype=float)
    k = X.shape[1]
    if k < 2:
        return float("nan")
    C = _pairwise_cov(X)
    total = np.nansum(C)
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (total - np.nansum(np.diag(C))) / total)


@dataclass(frozen=True)
class PCAResult:
    """Principal components of standardised columns (R's prcomp(x, center = TRUE, scale. = TRUE)).

    loadings: (columns x components), each component's sign chosen so its loadings sum to
    a positive number (prcomp's sign is arbitrary); eigenvalues: variances of the components;
    variance_share: eigenvalues / their sum; n: complete rows used.
    """

    loadings: np.ndarray
    eigenvalues: np.ndarray
    variance_share: np.ndarray
    n: int

    @property
    def pc1_weights(self) -> np.ndarray:
        """COINr's PCA weights: the first component's loadings, rescaled to sum to 1."""
        w = self.loadings[:, 0]
        return w / w.sum()


def pca(X: np.ndarray) -> PCAResult:
    """PCA of the columns of X on complete rows, centred and scaled (COINr get_PCA: prcomp on
    na.omit(data), center = TRUE, scale = TRUE). Columns constant on those rows are an error."""
    X = np.asarray(X, dtype=float)
    X = X[~np.isnan(X).any(axis=1)]
    n, k = X.shape
    if n < 2 or k < 1:
        raise ValueError("PCA needs at least two complete rows and one column")
    sd = X.std(axis=0, ddof=1)
    if (sd == 0).any():
        raise ValueError("PCA: a column is constant on the complete rows")
    Z = (X - X.mean(axis=0)) / sd
    # SVD of the standardised data, as prcomp does (more accurate than eigen of the correlation matrix).
    _, s, Vt = np.linalg.svd(Z, full_matrices=False)
    ev = s ** 2 / (n - 1)
    V = Vt.T
    signs = np.where(V.sum(axis=0) < 0, -1.0, 1.0)
    V = V * signs
    return PCAResult(loadings=V, eigenvalues=ev, variance_share=ev / k, n=n)


def pca_weights(X: np.ndarray) -> np.ndarray:
    """Weights from the first principal component: its loadings rescaled to sum to 1.

    Invariant to rescaling or shifting a column (PCA on the correlation matrix). A column with
    a negative loading gets a negative weight: see `factor_weights` for the OECD Handbook's
    always-positive weights.
    """
    return pca(X).pc1_weights


def varimax(L: np.ndarray, gamma: float = 1.0, max_iter: int = 500, tol: float = 1e-10) -> np.ndarray:
    """Varimax rotation of a loadings matrix (Kaiser 1958, R's stats::varimax without normalisation)."""
    p, k = L.shape
    if k < 2:
        return L.copy()
    R = np.eye(k)
    d = 0.0
    for _ in range(max_iter):
        Lr = L @ R
        u, s, vt = np.linalg.svd(L.T @ (Lr ** 3 - (gamma / p) * Lr @ np.diag((Lr ** 2).sum(axis=0))))
        R = u @ vt
        d_new = s.sum()
        if d and d_new < d * (1 + tol):
            break
        d = d_new
    return L @ R


def factor_weights(X: np.ndarray, n_factors: int | None = None) -> np.ndarray:
    """Factor-analysis weights (OECD/JRC Handbook on Constructing Composite Indicators, 2008,
    section 6.1; Nicoletti et al. 2000; Compind's `ci_factor(method = "CH")` is the nearest).

    Principal-component factors are kept by Kaiser's rule (eigenvalue > 1, at least one) unless
    `n_factors` is given, rotated by varimax; each column is assigned to the factor on which
    its squared loading is largest, its weight is that squared loading scaled to unity sum
    within the factor, times the factor's share of the variance explained by the kept factors.
    Weights are positive and sum to 1; invariant to rescaling a column.
    """
    res = pca(X)
    k = res.loadings.shape[0]
    q = int(n_factors) if n_factors else max(1, int((res.eigenvalues > 1).sum()))
    q = min(q, k)
    L = res.loadings[:, :q] * np.sqrt(res.eigenvalues[:q])  # component loadings = correlations
    L = varimax(L)
    sq = L ** 2
    explained = sq.sum(axis=0)
    share = explained / explained.sum()
    scaled = sq / explained
    f = np.argmax(sq, axis=1)
    w = scaled[np.arange(k), f] * share[f]
    return w / w.sum()
