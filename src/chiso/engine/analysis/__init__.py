"""The analyst's workbench: COINr's analysis functions and methods beyond COINr, on plain arrays
(correlation, pca, weights, copeland, mpi, bod, trends) and on a whole build (coin).

SciPy is imported inside the functions that need it, so `import chiso.engine` stays light.
"""

from .bod import BoDResult, bod, bod_constrained, robust_bod
from .coin import (AggregatePCA, Comparison, NodeValues, compare_builds, compare_scores, get_corr,
                   get_corr_flags, get_cronbach, get_eff_weights, get_opt_weights, get_pca, node_values,
                   reaggregate, remove_elements, weights_from_pca)
from .copeland import Outranking, a_copeland, outrank_matrix
from .correlation import CorrFlag, corr_flags, corr_matrix, corr_pvalues, pair_counts
from .mpi import ampi, mpi
from .pca import PCAResult, cronbach_alpha, factor_weights, pca, pca_weights, varimax
from .trends import Trends, cagr, get_trends, slope
from .weights import OptWeights, effective_weights, opt_weights

__all__ = [
    "AggregatePCA", "BoDResult", "Comparison", "CorrFlag", "NodeValues", "OptWeights", "Outranking", "PCAResult",
    "Trends", "a_copeland", "ampi", "bod", "bod_constrained", "cagr", "compare_builds", "compare_scores",
    "corr_flags", "corr_matrix", "corr_pvalues", "cronbach_alpha", "effective_weights", "factor_weights",
    "get_corr", "get_corr_flags", "get_cronbach", "get_eff_weights", "get_opt_weights", "get_pca", "get_trends",
    "mpi", "node_values", "opt_weights", "outrank_matrix", "pair_counts", "pca", "pca_weights", "reaggregate",
    "remove_elements", "robust_bod", "slope", "varimax", "weights_from_pca",
]
