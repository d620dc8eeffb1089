"""Fine-tunes the top K layers of e5 on the question side only (candidates' vectors fixed), listwise loss; args: K EPOCHS LR.

Reads /tmp/feats2.pkl (or $FEATS) (collect_candidates.py). See docs/answer-step.md for the figures."""

import copy
import os
import pickle
import sys
import time

import numpy as np
import torch
from qa.config import Settings
from qa.encoding.embedding import load_embedder
from sklearn.model_selection import GroupKFold

torch.manual_seed(0)
K = int(sys.argv[1]) if len(sys.argv) > 1 else 2
EPOCHS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
LR = float(sys.argv[3]) if len(sys.argv) > 3 else 5e-5
d = pickle.load(open(os.environ.get("FEATS", "/tmp/feats2.pkl"), "rb"))
items = d["items"]
ans = np.array([it["answerable"] for it in items])
sets = np.array([it["set_name"] for it in items])
emb = load_embedder(Settings.from_env())
st = emb.sentence_transformer()
bert = st[0].auto_model
tok = st.tokenizer
bert.eval()
texts = ["query: " + it["question"] for it in items]
t = time.time()
hidden, masks = [], []
with torch.inference_mode():
    for b in range(0, len(texts), 64):
        enc = tok(texts[b : b + 64], padding=True, truncation=True, max_length=128, return_tensors="pt")
        out = bert(**enc, output_hidden_states=True)
        for i in range(len(enc["input_ids"])):
            m = enc["attention_mask"][i].bool()
            hidden.append(out.hidden_states[12 - K][i][m].clone())
            masks.append(None)
print("cached", time.time() - t, flush=True)
top_layers = bert.encoder.layer[12 - K :]


def run(layers, h):  # h: (tokens, dim) of one question -> normalised mean
    x = h[None]
    for layer in layers:
        x = layer(x)[0] if isinstance(layer(x), tuple) else layer(x)
    v = x[0].mean(0)
    return v / v.norm()


def batch_run(layers, hs):
    L = max(len(h) for h in hs)
    dim = hs[0].shape[1]
    x = torch.zeros(len(hs), L, dim)
    mask = torch.zeros(len(hs), L)
    for i, h in enumerate(hs):
        x[i, : len(h)] = h
        mask[i, : len(h)] = 1
    ext = (1.0 - mask[:, None, None, :]) * -1e9
    for layer in layers:
        o = layer(x, attention_mask=ext)
        x = o[0] if isinstance(o, tuple) else o
    v = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
    return torch.nn.functional.normalize(v, dim=1)


# check equivalence with qvec
with torch.no_grad():
    v = batch_run(top_layers, hidden[:4]).numpy()
print("cos to qvec", [(float(v[i] @ items[i]["qvec"])) for i in range(4)], flush=True)
groups = [it["group"] for it in items]
dense_ft = [None] * len(items)
for fold, (tr, te) in enumerate(GroupKFold(5).split(np.zeros(len(items)), groups=groups)):
    layers = copy.deepcopy(top_layers)
    layers.train()
    for p in layers.parameters():
        p.requires_grad_(True)
    a = torch.nn.Parameter(torch.tensor(30.0))
    opt = torch.optim.AdamW(list(layers.parameters()) + [a], lr=LR, weight_decay=0.01)
    train = [j for j in tr if len(items[j]["labels"]) and items[j]["labels"].any()]
    g = torch.Generator().manual_seed(fold)
    for ep in range(EPOCHS):
        perm = torch.randperm(len(train), generator=g).tolist()
        for b in range(0, len(train), 16):
            js = [train[i] for i in perm[b : b + 16]]
            q = batch_run(layers, [hidden[j] for j in js])
            loss = 0
            for qi, j in zip(q, js):
                s = torch.from_numpy(items[j]["svecs"])
                y = torch.from_numpy(items[j]["labels"].astype(np.float32))
                loss = loss - (y / y.sum() * torch.log_softmax(a * (s @ qi), 0)).sum()
            loss = loss / len(js)
            opt.zero_grad()
            loss.backward()
            opt.step()
    layers.eval()
    with torch.no_grad():
        for b in range(0, len(te), 64):
            js = list(te[b : b + 64])
            q = batch_run(layers, [hidden[j] for j in js]).numpy()
            for qi, j in zip(q, js):
                dense_ft[j] = items[j]["svecs"] @ qi if len(items[j]["labels"]) else np.zeros(0)
    print("fold", fold, time.time() - t, flush=True)
pickle.dump(dense_ft, open(f"/tmp/dense_ft_{K}_{EPOCHS}_{LR}.pkl", "wb"))
top = np.zeros(len(items), bool)
base = np.zeros(len(items), bool)
for j, it in enumerate(items):
    if not len(it["labels"]):
        continue
    top[j] = it["answerable"] and bool(it["labels"][np.argmax(dense_ft[j])])
    base[j] = it["answerable"] and bool(it["labels"][np.argmax(it["features"][:, 0])])
for name in ["all", "piaf_open_dev.json", "piaf_open_dev_xling.json"]:
    m = ans & ((sets == name) if name != "all" else True)
    print(name, "dense top1 base %.1f  ft %.1f" % (100 * base[m].mean(), 100 * top[m].mean()))
