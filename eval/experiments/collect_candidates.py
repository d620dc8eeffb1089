"""Step 1 of the answer-step experiments (docs/answer-step.md): every question of the
sets `python -m qa.tools.fit` uses, considered as `answer` considers it, with 13 more
per-candidate features, the question's vector and the candidates' vectors and texts.

Writes a scratch file, /tmp/feats2.pkl (or $FEATS), that the other scripts here read (about 4 min).
Run from the repository: `.venv/bin/python eval/experiments/collect_candidates.py`.
"""

import logging
import math
import os
import pickle
import time

import numpy as np
from qa.tools import fit
from qa.answering.citations import select_citations
from qa.config import Settings
from qa.encoding.embedding import load_embedder
from qa.tools.evaluation import cites_answer
from qa.answering.grounding import WORD_MATCH
from qa.text.lexical import key_words, terms

logging.basicConfig(level=logging.WARNING)

_idf = {}


def idf_of(index):
    key = id(index)
    if key not in _idf:
        n = len(index.sentences)
        df = {}
        stems_of = []
        for d, s, e in index.sentences.tolist():
            st = frozenset(terms(index.span_text(d, s, e), keep_stopwords=False))
            stems_of.append(st)
            for t in st:
                df[t] = df.get(t, 0) + 1
        words_of = {}
        _idf[key] = (n, df, stems_of, words_of)
    return _idf[key]


def sent_words(index, sid, cache):
    if sid not in cache:
        d, s, e = index.sentences[sid].tolist()
        ids = np.array(
            [index.word_ids[w] for w in key_words(index.span_text(d, s, e), type_words=True) if w in index.word_ids],
            dtype=np.int64,
        )
        cache[sid] = ids
    return cache[sid]


EXTRA = [
    "s_idf",
    "s_match",
    "s_soft",
    "prev_dense",
    "next_dense",
    "dense_rank",
    "idf_rank",
    "position",
    "novelty",
    "has_digit",
    "chunk_dense",
    "doc_best_dense",
    "s_idf_prevnext",
]


def extra_features(c, embedder):
    index = c.index
    n, df, stems_of, words_cache = idf_of(index)
    q_stems = [s for s in dict.fromkeys(terms(c.question))]
    w = np.array([math.log((n + 1) / (df.get(s, 0) + 0.5)) for s in q_stems]) if q_stems else np.zeros(0)
    qv = c.words.vectors
    qw_idf = (
        np.array([math.log((n + 1) / (df.get(t, 0) + 0.5)) for t in [(terms(x) or [x])[0] for x in c.words.words]])
        if len(c.words.words)
        else np.zeros(0)
    )
    vec = embedder.embed_queries([c.question])[0]
    sids = [cand.sentence for cand in c.candidates]
    neigh = set()
    for s in sids:
        neigh.update((s - 1, s + 1))
    neigh = [x for x in neigh if 0 <= x < len(index.sentences)]
    allids = sorted(set(sids) | set(neigh))
    sims = dict(zip(allids, (index.sentence_store.vectors_of(np.array(allids, dtype=np.int64)) @ vec).tolist()))
    dense = np.array([cand.dense for cand in c.candidates])
    dense_rank = np.argsort(np.argsort(-dense))
    rows = []
    idfs = []
    for cand in c.candidates:
        s = cand.sentence
        st = stems_of[s]
        s_idf = float(w[[q in st for q in q_stems]].sum() / w.sum()) if len(w) and w.sum() > 0 else 0.0
        idfs.append(s_idf)
    idfs = np.array(idfs)
    idf_rank = np.argsort(np.argsort(-idfs, kind="stable"), kind="stable")
    doc_best = {}
    for cand in c.candidates:
        d = int(index.sentences[cand.sentence, 0])
        doc_best[d] = max(doc_best.get(d, -1), cand.dense)
    for i, cand in enumerate(c.candidates):
        s = cand.sentence
        d = int(index.sentences[s, 0])
        ids = sent_words(index, s, words_cache)
        if len(qv) and len(ids):
            sim = (qv @ index.word_vectors[ids].T).max(axis=1)
        else:
            sim = np.zeros(len(qv))
        st = stems_of[s]
        qs = [(terms(x) or [x])[0] for x in c.words.words]
        found = np.array([q in st or si >= WORD_MATCH for q, si in zip(qs, sim)], dtype=float)
        wt = qw_idf if qw_idf.sum() > 0 else np.ones(len(qs))
        s_match = float((found * wt).sum() / wt.sum()) if len(qs) else 1.0
        s_soft = float((np.maximum(sim, found) * wt).sum() / wt.sum()) if len(qs) else 1.0
        same_prev = s > 0 and int(index.sentences[s - 1, 0]) == d
        same_next = s + 1 < len(index.sentences) and int(index.sentences[s + 1, 0]) == d
        prev_d = sims.get(s - 1, 0.7) if same_prev else 0.7
        next_d = sims.get(s + 1, 0.7) if same_next else 0.7
        first_of_doc = int(np.searchsorted(index.sentences[:, 0], d))
        position = s - first_of_doc
        text = index.span_text(*index.sentences[s].tolist())
        sw = key_words(text)
        qset = set(c.words.words)
        novelty = sum(1 for x in sw if x not in qset) / max(len(sw), 1)
        ps = (stems_of[s - 1] if same_prev else frozenset()) | (stems_of[s + 1] if same_next else frozenset())
        s_idf_pn = float(w[[q in ps for q in q_stems]].sum() / w.sum()) if len(w) and w.sum() > 0 else 0.0
        hit = c.hits[cand.chunk_rank]
        rows.append(
            [
                idfs[i],
                s_match,
                s_soft,
                prev_d,
                next_d,
                math.log1p(dense_rank[i]),
                math.log1p(idf_rank[i]),
                math.log1p(position),
                novelty,
                float(any(ch.isdigit() for ch in text)),
                hit.dense,
                doc_best[d] - cand.dense,
                s_idf_pn,
            ]
        )
    return np.array(rows, dtype=np.float32).reshape(-1, len(EXTRA))


orig_item = fit._item
embedder = load_embedder(Settings.from_env())
out = []


def _item(*a, **k):
    it = orig_item(*a, **k)
    c = it.considered
    ex = extra_features(c, embedder) if c.candidates else np.zeros((0, len(EXTRA)), np.float32)
    # outcome under a given order: correct if cites_answer of _select_citations(order)
    qv = embedder.embed_queries([c.question])[0]
    sv = (
        c.index.sentence_store.vectors_of(np.array([x.sentence for x in c.candidates], dtype=np.int64))
        if c.candidates
        else np.zeros((0, len(qv)), np.float32)
    )
    out.append(
        dict(
            qvec=qv.astype(np.float32),
            svecs=np.asarray(sv, np.float32),
            sids=[x.sentence for x in c.candidates],
            stexts=[c.index.span_text(*c.index.sentences[x.sentence].tolist()) for x in c.candidates],
            features=it.features,
            extra=ex,
            labels=it.labels,
            group=it.group,
            set_name=it.set_name,
            answerable=it.answerable,
            question=c.question,
            cite_ok=np.array(
                [
                    bool(
                        it.answerable
                        and cites_answer(
                            it.answers, select_citations(c.index, [cand] + [x for x in c.candidates if x is not cand])
                        )
                    )
                    for cand in c.candidates
                ],
                dtype=bool,
            ),
        )
    )
    return it


fit._item = _item
t = time.time()
items = fit.collect(Settings.from_env(), show_progress=False)
print("collected", len(items), time.time() - t, flush=True)
pickle.dump({"extra_names": EXTRA, "items": out}, open(os.environ.get("FEATS", "/tmp/feats2.pkl"), "wb"))
print("saved", flush=True)
