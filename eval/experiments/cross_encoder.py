"""A cross-encoder from e5 (top K layers and a head trained on question-sentence pairs), one split holding out 20% of PIAF articles; args: K NEGATIVES LR.

Reads /tmp/feats2.pkl (or $FEATS) (collect_candidates.py). See docs/answer-step.md for the figures."""

import os
import pickle
import sys
import time

import numpy as np
import torch
from qa.config import Settings
from qa.encoding.embedding import load_embedder
from sklearn.model_selection import GroupShuffleSplit

torch.manual_seed(0)
np.random.seed(0)
K = int(sys.argv[1]) if len(sys.argv) > 1 else 4
NEG = int(sys.argv[2]) if len(sys.argv) > 2 else 7
LR = float(sys.argv[3]) if len(sys.argv) > 3 else 5e-5
torch.set_num_threads(2)
d = pickle.load(open(os.environ.get("FEATS", "/tmp/feats2.pkl"), "rb"))
items = d["items"]
emb = load_embedder(Settings.from_env())
st = emb.sentence_transformer()
bert = st[0].auto_model
tok = st.tokenizer
for p in bert.parameters():
    p.requires_grad_(False)
for layer in bert.encoder.layer[12 - K :]:
    for p in layer.parameters():
        p.requires_grad_(True)
head = torch.nn.Linear(384, 1)
groups = np.array([it["group"] for it in items])
piaf = np.array([it["set_name"].startswith("piaf") for it in items])
idx = np.flatnonzero(piaf)
tr_i, te_i = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(idx, groups=groups[idx]))
train = [int(idx[i]) for i in tr_i if len(items[idx[i]]["labels"]) and items[idx[i]]["labels"].any()]
test = [int(idx[i]) for i in te_i]
print("train questions", len(train), "test", len(test), flush=True)


def score(qs, ss, grad):
    enc = tok(
        ["query: " + q for q in qs],
        ["passage: " + s for s in ss],
        padding=True,
        truncation=True,
        max_length=160,
        return_tensors="pt",
    )
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = bert(**enc).last_hidden_state
    m = enc["attention_mask"][..., None].float()
    pooled = (out.float() * m).sum(1) / m.sum(1)
    return head(pooled)[:, 0]


opt = torch.optim.AdamW(
    [
        {"params": [p for p in bert.parameters() if p.requires_grad], "lr": LR},
        {"params": list(head.parameters()), "lr": 2e-3},
    ],
    weight_decay=0.01,
)
rng = np.random.default_rng(0)
t = time.time()
bert.train()
n = 0
order = rng.permutation(len(train))
for step, b in enumerate(range(0, len(order), 4)):
    qs, ss, seg = [], [], []
    for i in order[b : b + 4]:
        it = items[train[i]]
        y = it["labels"].astype(bool)
        pos = np.flatnonzero(y)
        neg = np.flatnonzero(~y)
        # hardest negatives first by the shipped ranker's order (candidates come best first)
        chosen = [int(rng.choice(pos))] + [int(x) for x in neg[:NEG]]
        qs += [it["question"]] * len(chosen)
        ss += [it["stexts"][c] for c in chosen]
        seg.append(len(chosen))
    z = score(qs, ss, True)
    loss = 0
    o = 0
    for n_ in seg:
        loss = loss - torch.log_softmax(z[o : o + n_], 0)[0]
        o += n_
    loss = loss / len(seg)
    opt.zero_grad()
    loss.backward()
    opt.step()
    n += len(qs)
    if step % 50 == 0:
        print(f"step {step} pairs {n} {n / (time.time() - t):.1f} pairs/s loss {loss.item():.3f}", flush=True)
print("trained", time.time() - t, flush=True)
bert.eval()
t = time.time()
npairs = 0
res = {}
with torch.no_grad():
    for j in test:
        it = items[j]
        if not len(it["labels"]):
            continue
        z = score([it["question"]] * len(it["stexts"]), it["stexts"], False).numpy()
        npairs += len(z)
        res[j] = z
print("inference", npairs, "pairs", time.time() - t, "s", flush=True)
pickle.dump({"test": test, "scores": res}, open(f"/tmp/ce_{K}.pkl", "wb"))
sets = np.array([it["set_name"] for it in items])
for name in ["piaf_open_dev.json", "piaf_open_dev_xling.json"]:
    js = [j for j in test if sets[j] == name and items[j]["answerable"]]
    ce = np.mean([bool(items[j]["cite_ok"][int(np.argmax(res[j]))]) if j in res else False for j in js])
    ce1 = np.mean([bool(items[j]["labels"][int(np.argmax(res[j]))]) if j in res else False for j in js])
    base = np.mean([bool(items[j]["cite_ok"][0]) if len(items[j]["labels"]) else False for j in js])
    base1 = np.mean([bool(items[j]["labels"][0]) if len(items[j]["labels"]) else False for j in js])
    print(
        f"{name}: n={len(js)}  rules-order top1 {100 * base1:.1f} cite {100 * base:.1f}   cross-encoder top1 {100 * ce1:.1f} cite {100 * ce:.1f}"
    )
