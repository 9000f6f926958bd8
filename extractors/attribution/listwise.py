"""Fit the speaker choice: a conditional logit (softmax) over each quote's candidate rows.

Each quote is a group of rows: its candidate speakers and one "none" row. The model scores a
row by the weighted sum of its one-hot features and picks the best row of the group; training
maximises, per quote, the softmax probability of its right rows (several mentions of one
speaker may all be right, so the likelihood is their summed probability), with an L2 penalty.
Unlike a pointwise classifier, the weights only have to rank a quote's candidates against each
other and against none, which is the decision made at run time.

Training only (numpy, scipy, scikit-learn's DictVectorizer): the result is a plain dict of
weights that `model.SoftmaxChoice` applies without any of them.
"""

from __future__ import annotations

import numpy as np


def fit_choice(matrix, groups: list[int], labels: list[int], c: float) -> np.ndarray:
    """Weights of a conditional logit. `matrix`: sparse rows (n × d); `groups`: each row's quote,
    rows of a quote contiguous; `labels`: 1 for a right row. Quotes with no right row teach
    nothing and are left out by the caller. `c`: inverse L2 strength, as in scikit-learn."""
    from scipy.optimize import minimize

    x = matrix.tocsr().astype(np.float64)
    group = np.asarray(groups)
    right = np.asarray(labels, dtype=bool)
    starts = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
    index = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(group)]))
    penalty = 1.0 / c

    def loss_and_gradient(w: np.ndarray) -> tuple[float, np.ndarray]:
        scores = x @ w
        top = np.maximum.reduceat(scores, starts)
        exps = np.exp(scores - top[index])
        total = np.add.reduceat(exps, starts)
        right_exps = np.where(right, exps, 0.0)
        right_total = np.add.reduceat(right_exps, starts)
        loss = -np.sum(np.log(right_total) - np.log(total)) + 0.5 * penalty * (w @ w)
        gradient = x.T @ (exps / total[index] - right_exps / right_total[index]) + penalty * w
        return float(loss), gradient

    result = minimize(loss_and_gradient, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B",
                      options={"maxiter": 5000})
    if not np.all(np.isfinite(result.x)):
        raise ValueError(f"speaker choice did not converge: {result.message}")
    return result.x
