"""Oracle coverage of the candidates, dense rank of the answer, and gradient-boosted trees (pointwise) as the ranker, 5 folds by article.

Reads /tmp/feats2.pkl (or $FEATS) (collect_candidates.py). See docs/answer-step.md for the figures."""

import os
import pickle

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

d = pickle.load(open(os.environ.get("FEATS", "/tmp/feats2.pkl"), "rb"))
items = d["items"]
ans = np.array([it["answerable"] for it in items])
sets = np.array([it["set_name"] for it in items])
orc = np.array([it["labels"].any() for it in items])
print(
    "oracle any positive",
    orc[ans].mean(),
    "piaf",
    orc[ans & (sets == "piaf_open_dev.json")].mean(),
    "xl",
    orc[ans & (sets == "piaf_open_dev_xling.json")].mean(),
)
print("mean candidates", np.mean([len(it["labels"]) for it in items]))
# positive rank by dense
r = []
for it in items:
    if it["answerable"] and it["labels"].any():
        f = it["features"]
        order = np.argsort(-f[:, 0])
        r.append(np.where(it["labels"][order])[0][0])
r = np.array(r)
print("dense rank of first positive: top1 %.3f top3 %.3f top5 %.3f" % ((r < 1).mean(), (r < 3).mean(), (r < 5).mean()))
groups = [it["group"] for it in items]
top = np.zeros(len(items), bool)
for tr, te in GroupKFold(5).split(np.zeros(len(items)), groups=groups):
    Xtr = np.vstack([np.hstack([items[j]["features"], items[j]["extra"]]) for j in tr if len(items[j]["labels"])])
    ytr = np.concatenate([items[j]["labels"] for j in tr if len(items[j]["labels"])])
    m = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, max_leaf_nodes=15, random_state=0).fit(
        Xtr, ytr
    )
    for j in te:
        it = items[j]
        if not len(it["labels"]):
            continue
        p = m.predict_proba(np.hstack([it["features"], it["extra"]]))[:, 1]
        top[j] = it["answerable"] and bool(it["labels"][np.argmax(p)])
print("HGB pointwise top1", top[ans].mean(), "piaf", top[ans & (sets == "piaf_open_dev.json")].mean())
