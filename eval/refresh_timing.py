"""How long a folder index takes to catch up with one new file, against embedding every file.

Writes the first 120 paragraphs of ../shared/eval/piaf_open_dev.json as files into a
temporary corpus folder, builds its index, drops one more paragraph in, and times the
next `default_index` (README, "brought up to date"). Run from the repository:
`.venv/bin/python eval/refresh_timing.py`.
"""

import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from qa.config import Settings
from qa.encoding.embedding import load_embedder
from qa.storing.collection import default_index

squad = json.load(open("../shared/eval/piaf_open_dev.json"))
paras = [p["context"] for a in squad["data"] for p in a["paragraphs"]][:121]
tmp = Path(tempfile.mkdtemp())
corpus = tmp / "corpus"
corpus.mkdir()
for i, t in enumerate(paras[:120]):
    (corpus / f"p{i:03d}.txt").write_text(t, encoding="utf-8")
s = replace(Settings.from_env(), corpus_dir=corpus, index_dir=tmp / "index", upload_dir=tmp / "up")
load_embedder(s)
t = time.perf_counter()
default_index(s)
full = time.perf_counter() - t
(corpus / "p120.txt").write_text(paras[120], encoding="utf-8")
t = time.perf_counter()
ix = default_index(s)
add = time.perf_counter() - t
print(
    f"120 paragraphs built {full:.2f} s; one file dropped in, index brought up to date {add:.2f} s; documents {len(ix.documents)}"
)
