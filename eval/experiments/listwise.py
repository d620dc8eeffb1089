"""The listwise ranker of `qa.answering.answer_scorer` (a softmax over each question's candidates, L2 on
standardised features), as the experiments here fit it on feature subsets."""

import numpy as np
from scipy.optimize import minimize


def fit_listwise(lists, l2=10.0):
    """(mean, scale, weights) fitted on [(features, labels), ...], one pair a question."""
    rows = np.vstack([x for x, y in lists])
    mu, sd = rows.mean(0), rows.std(0)
    sd[sd == 0] = 1
    standard = [((x - mu) / sd, y / y.sum()) for x, y in lists if y.any()]

    def loss(w):
        value, gradient = l2 * w @ w / 2, l2 * w
        for x, target in standard:
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            value -= target @ np.log(p + 1e-12)
            gradient = gradient - x.T @ (target - p)
        return value, gradient

    return mu, sd, minimize(loss, np.zeros(rows.shape[1]), jac=True, method="L-BFGS-B").x
