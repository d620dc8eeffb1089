"""Abstainers (logistic regression, gradient-boosted trees) over more question-level features, threshold at 4% of answerable training questions, 5 folds by article.

Reads /tmp/feats2.pkl (or $FEATS) (collect_candidates.py). See docs/answer-step.md for the figures."""

import os
import pickle

import numpy as np
from qa.answering.answer_scorer import FEATURES
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from listwise import fit_listwise

d = pickle.load(open(os.environ.get("FEATS", "/tmp/feats2.pkl"), "rb"))
items = d["items"]
EX = d["extra_names"]
names = list(FEATURES) + EX


def X(it):
    return np.hstack([it["features"], it["extra"]]).astype(np.float64)


fit_rank = fit_listwise


def qrow(it, model, cols, extra_q):
    mu, sd, w = model
    x = X(it)[:, cols]
    z = ((x - mu) / sd) @ w
    o = np.argsort(-z)
    b = o[0]
    f = X(it)
    margin = z[o[0]] - z[o[1]] if len(o) > 1 else 5.0
    base = [
        z[b],
        margin,
        f[b, names.index("dense")],
        f[b, names.index("grounding")],
        f[b, names.index("typed_missing")],
        f[b, names.index("unknown_name")],
    ]
    if extra_q:
        base += [
            f[b, names.index(n)]
            for n in ("s_idf", "s_match", "s_soft", "chunk_dense", "chunk_lexical", "question_words")
        ]
        base += [f[:, names.index("s_idf")].max(), f[:, names.index("s_match")].max(), np.log1p(len(o))]
    return np.array(base), b


def run(cols, extra_q, model_kind="lr"):
    groups = [it["group"] for it in items]
    probs = np.zeros(len(items))
    top_ok = np.zeros(len(items), bool)
    thr = np.zeros(len(items))
    for tr, te in GroupKFold(5).split(np.zeros(len(items)), groups=groups):
        trn = [j for j in tr if len(items[j]["labels"])]
        model = fit_rank([(X(items[j])[:, cols], items[j]["labels"].astype(float)) for j in trn])
        rows = [qrow(items[j], model, cols, extra_q) for j in trn]
        Q = np.array([r for r, _ in rows])
        y = np.array([bool(items[j]["cite_ok"][b]) for j, (_, b) in zip(trn, rows)])
        clf = (
            LogisticRegression(max_iter=2000)
            if model_kind == "lr"
            else HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=8, random_state=0)
        ).fit(Q, y)
        ptr = clf.predict_proba(Q)[:, 1]
        ans_tr = np.array([items[j]["answerable"] for j in trn])
        t = np.sort(ptr[ans_tr])[int(0.04 * ans_tr.sum())]
        for j in te:
            it = items[j]
            if not len(it["labels"]):
                probs[j] = -1
                continue
            r, b = qrow(it, model, cols, extra_q)
            probs[j] = clf.predict_proba(r[None])[0, 1]
            thr[j] = t
            top_ok[j] = bool(it["cite_ok"][b])
    ans = np.array([it["answerable"] for it in items])
    sets = np.array([it["set_name"] for it in items])
    abst = probs < thr
    for name in ["all", "piaf_open_dev.json", "piaf_open_dev_xling.json", "seed_qa.jsonl", "multilingual_qa.jsonl"]:
        m = (sets == name) if name != "all" else np.ones(len(items), bool)
        acc = (top_ok & ~abst)[m & ans].mean()
        a = abst[m & ~ans].mean() if (m & ~ans).any() else float("nan")
        f = abst[m & ans].mean()
        print(f"  {name:28s} acc {100 * acc:5.1f}  abst {100 * a:5.1f}  false {100 * f:5.1f}")


base = list(range(len(FEATURES)))
allc = list(range(len(names)))
print("baseline ranker, base abstainer")
run(base, False)
print("baseline ranker, extra abstainer")
run(base, True)
print("27-feature ranker, extra abstainer")
run(allc, True)
print("27-feature ranker, extra abstainer, HGB")
run(allc, True, "hgb")
