"""A learned low-rank bilinear similarity on frozen e5 vectors, trained with the 27 features, listwise; args: RANK WEIGHT_DECAY EPOCHS.

Reads /tmp/feats2.pkl (or $FEATS) (collect_candidates.py). See docs/answer-step.md for the figures."""

import os
import pickle
import sys

import numpy as np
import torch
from sklearn.model_selection import GroupKFold

torch.manual_seed(0)
d = pickle.load(open(os.environ.get("FEATS", "/tmp/feats2.pkl"), "rb"))
items = d["items"]
ans = np.array([it["answerable"] for it in items])
sets = np.array([it["set_name"] for it in items])


def feats(it):
    return np.hstack([it["features"], it["extra"]]).astype(np.float32)


RANK = int(sys.argv[1]) if len(sys.argv) > 1 else 32
WD = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-3
EPOCHS = int(sys.argv[3]) if len(sys.argv) > 3 else 30
USE_F = "--nofeat" not in sys.argv


def train(tr):
    data = [
        (
            torch.from_numpy(items[j]["qvec"]),
            torch.from_numpy(items[j]["svecs"]),
            torch.from_numpy(feats(items[j])),
            torch.from_numpy(items[j]["labels"].astype(np.float32)),
        )
        for j in tr
        if len(items[j]["labels"]) and items[j]["labels"].any()
    ]
    allf = torch.cat([f for _, _, f, _ in data])
    mu, sd = allf.mean(0), allf.std(0).clamp_min(1e-6)
    dim = data[0][0].shape[0]
    nf = allf.shape[1]
    U = torch.nn.Parameter(torch.randn(dim, RANK) * 0.01)
    V = torch.nn.Parameter(torch.randn(dim, RANK) * 0.01)
    w = torch.nn.Parameter(torch.zeros(nf))
    a = torch.nn.Parameter(torch.tensor(20.0))
    params = [U, V, a] + ([w] if USE_F else [])
    opt = torch.optim.Adam(params, lr=3e-3)
    for ep in range(EPOCHS):
        perm = torch.randperm(len(data))
        for b in range(0, len(data), 32):
            loss = 0
            for i in perm[b : b + 32].tolist():
                q, s, f, y = data[i]
                sim = s @ q + ((q @ U) * (s @ V)).sum(1)
                z = a * sim + (((f - mu) / sd) @ w if USE_F else 0)
                loss = loss - (y / y.sum() * torch.log_softmax(z, 0)).sum()
            loss = loss / 32 + WD * ((U**2).sum() + (V**2).sum()) + 1e-3 * (w**2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return lambda it: (
        (
            a
            * (
                torch.from_numpy(it["svecs"]) @ torch.from_numpy(it["qvec"])
                + ((torch.from_numpy(it["qvec"]) @ U) * (torch.from_numpy(it["svecs"]) @ V)).sum(1)
            )
            + ((((torch.from_numpy(feats(it)) - mu) / sd) @ w) if USE_F else 0)
        )
        .detach()
        .numpy()
    )


groups = [it["group"] for it in items]
top = np.zeros(len(items), bool)
cite = np.zeros(len(items), bool)
for tr, te in GroupKFold(5).split(np.zeros(len(items)), groups=groups):
    score = train(tr)
    for j in te:
        it = items[j]
        if not len(it["labels"]):
            continue
        b = int(np.argmax(score(it)))
        top[j] = it["answerable"] and bool(it["labels"][b])
        cite[j] = bool(it["cite_ok"][b])
for name in ["all", "piaf_open_dev.json", "piaf_open_dev_xling.json"]:
    m = ans & ((sets == name) if name != "all" else True)
    print(name, "top1 %.1f cite %.1f" % (100 * top[m].mean(), 100 * cite[m].mean()))
