"""Lexical ranking on PIAF-open dev: qa's BM25 over its stems vs Milvus's BM25 function.

Why `QA_STORE=milvus` keeps qa's own BM25 (computed by each replica from the texts in
Milvus) rather than Milvus's built-in BM25 function: on the 1,750 answerable questions
of ../shared/eval/piaf_open_dev.json, ranking the 583 chunks by each alone, the gold
paragraph comes first more often with qa's stems (docs/milvus.md).

    HF_HUB_OFFLINE=1 .venv/bin/python eval/compare_milvus_bm25.py

Starts a Milvus Lite server on a free loopback port with a temporary data folder, and stops it.
"""
import json, tempfile, time
from pathlib import Path
import numpy as np
from pymilvus import MilvusClient, DataType, Function, FunctionType
from qa.config import Settings
from qa.tools.evaluation import _paragraph_index, _paragraph_name
from qa.storing.milvus_store import start_lite_server
settings = Settings.from_env()
path = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "piaf_open_dev.json"
squad = json.loads(path.read_text(encoding="utf-8"))
paragraphs = [p["context"] for a in squad["data"] for p in a["paragraphs"]]
index = _paragraph_index(path, paragraphs, settings, show_progress=False)
doc_of = {Path(s).name: d for d, s in enumerate(index.sources)}
questions = []
n = 0
for a in squad["data"]:
    for p in a["paragraphs"]:
        n += 1
        for qa in p["qas"]:
            if not qa.get("is_impossible"):
                questions.append((qa["question"], doc_of[_paragraph_name(n)]))
texts = [index.chunk_text(i) for i in range(len(index.chunks))]
chunk_doc = index.chunks[:, 0]
server, uri = start_lite_server(tempfile.mkdtemp(prefix="qa-bm25-"))
try:
    c = MilvusClient(uri=uri, timeout=10)
    if c.has_collection("bm"): c.drop_collection("bm")
    s = c.create_schema(auto_id=False)
    s.add_field("id", DataType.INT64, is_primary=True)
    s.add_field("text", DataType.VARCHAR, max_length=65535, enable_analyzer=True)
    s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    s.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"], output_field_names=["sparse"]))
    ip = c.prepare_index_params(); ip.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    c.create_collection("bm", schema=s, index_params=ip, consistency_level="Strong")
    c.insert("bm", [{"id": i, "text": t} for i, t in enumerate(texts)])
    def ranks(order_docs, gold):
        for r, d in enumerate(order_docs, 1):
            if d == gold: return r
        return None
    ours, theirs = [], []
    t0 = time.time()
    for q, gold in questions:
        scores = index.lexical.scores(q)
        top = np.argsort(-scores, kind="stable")[:5]
        ours.append(ranks([chunk_doc[i] for i in top if scores[i] > 0], gold))
        res = c.search("bm", data=[q], anns_field="sparse", limit=5, search_params={"metric_type": "BM25"})
        theirs.append(ranks([chunk_doc[h["id"]] for h in res[0]], gold))
    def hit(rs, k): return sum(r is not None and r <= k for r in rs)
    print(f"{len(questions)} answerable questions, {len(texts)} chunks, {time.time()-t0:.0f} s")
    for name, rs in (("qa BM25 (stems)", ours), ("Milvus BM25 function", theirs)):
        print(f"{name:22} hit@1 {hit(rs,1)}  hit@3 {hit(rs,3)}  hit@5 {hit(rs,5)}")
finally:
    server.terminate()
