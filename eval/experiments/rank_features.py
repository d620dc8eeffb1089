"""Listwise ranker (as qa.answering.answer_scorer) with and without the 13 extra features, 5 folds by article; `--ablate` drops/adds each.

Reads /tmp/feats2.pkl (or $FEATS) (collect_candidates.py). See docs/answer-step.md for the figures."""

import os
import pickle
import sys

import numpy as np
from sklearn.model_selection import GroupKFold

from listwise import fit_listwise

d = pickle.load(open(os.environ.get("FEATS", "/tmp/feats2.pkl"), "rb"))
items = d["items"]
EX = d["extra_names"]
from qa.answering.answer_scorer import FEATURES

names = list(FEATURES) + EX


def X(it, cols):
    f = np.hstack([it["features"], it["extra"]]) if len(it["features"]) else np.zeros((0, len(names)))
    return f[:, cols]


fit = fit_listwise


def evaluate(cols, l2=10.0, verbose=False):
    groups = [it["group"] for it in items]
    top_ok = np.zeros(len(items), bool)
    cite = np.zeros(len(items), bool)
    for tr, te in GroupKFold(5).split(np.zeros(len(items)), groups=groups):
        lists = [(X(items[j], cols), items[j]["labels"].astype(float)) for j in tr if len(items[j]["labels"])]
        mu, sd, w = fit(lists, l2)
        for j in te:
            it = items[j]
            if not len(it["labels"]):
                continue
            s = ((X(it, cols) - mu) / sd) @ w
            b = int(np.argmax(s))
            top_ok[j] = bool(it["labels"][b]) and it["answerable"]
            cite[j] = bool(it["cite_ok"][b])
    ans = np.array([it["answerable"] for it in items])
    sets = np.array([it["set_name"] for it in items])
    res = {}
    for name in ["all"] + sorted(set(sets)):
        m = ans & ((sets == name) if name != "all" else True)
        res[name] = (round(100 * top_ok[m].mean(), 1), round(100 * cite[m].mean(), 1))
    return res


base = list(range(len(FEATURES)))
print("base", evaluate(base))
allc = list(range(len(names)))
print("all", evaluate(allc))
if "--ablate" in sys.argv:
    for i in range(len(FEATURES), len(names)):
        print("-", names[i], evaluate([c for c in allc if c != i])["all"])
    for i in range(len(FEATURES), len(names)):
        print("+", names[i], evaluate(base + [i])["all"])
