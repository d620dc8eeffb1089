"""Shared fixtures: the real model, loaded once per session, and a real index of the seed article."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "poutine-coree-du-nord.txt"
# Sixteen callers at once (the app's queue and the REST API): a question and what its citation holds.
SIXTEEN_QUESTIONS = [
    ("When was the friendship treaty signed?", "1961"),
    ("Qui a invité Poutine en Corée du Nord ?", "Kim Jong Un"),
    ("¿Cuándo viajó Kim al Lejano Oriente ruso?", "septembre 2023"),
    ("Quelle agence de presse officielle a rapporté l'article ?", "TASS"),
] * 4

# "When was the friendship treaty between North Korea and the Soviet Union signed?" in every
# language the detector returns (the seed article answers it: 1961).
TREATY_QUESTIONS = {
"fr": "Quand le traité d'amitié entre la Corée du Nord et l'Union soviétique a-t-il été signé ?",
"en": "When was the friendship treaty between North Korea and the Soviet Union signed?",
"es": "¿Cuándo se firmó el tratado de amistad entre Corea del Norte y la Unión Soviética?",
"de": "Wann wurde der Freundschaftsvertrag zwischen Nordkorea und der Sowjetunion unterzeichnet?",
"it": "Quando è stato firmato il trattato di amicizia tra la Corea del Nord e l'Unione Sovietica?",
"pt": "Quando foi assinado o tratado de amizade entre a Coreia do Norte e a União Soviética?",
"ru": "Когда был подписан договор о дружбе между Северной Кореей и Советским Союзом?",
"nl": "Wanneer werd het vriendschapsverdrag tussen Noord-Korea en de Sovjet-Unie ondertekend?",
"pl": "Kiedy podpisano traktat o przyjaźni między Koreą Północną a Związkiem Radzieckim?",
"sv": "När undertecknades vänskapsfördraget mellan Nordkorea och Sovjetunionen?",
"da": "Hvornår blev venskabstraktaten mellem Nordkorea og Sovjetunionen underskrevet?",
"nb": "Når ble vennskapsavtalen mellom Nord-Korea og Sovjetunionen undertegnet?",
"fi": "Milloin Pohjois-Korean ja Neuvostoliiton välinen ystävyyssopimus allekirjoitettiin?",
"tr": "Kuzey Kore ile Sovyetler Birliği arasındaki dostluk antlaşması ne zaman imzalandı?",
"ar": "متى تم توقيع معاهدة الصداقة بين كوريا الشمالية والاتحاد السوفيتي؟",
"zh": "朝鲜和苏联之间的友好条约是什么时候签署的？",
"ja": "北朝鮮とソ連の友好条約はいつ署名されましたか？",
"ko": "북한과 소련 사이의 우호 조약은 언제 체결되었습니까?",
"uk": "Коли було підписано договір про дружбу між Північною Кореєю та Радянським Союзом?",
"cs": "Kdy byla podepsána smlouva o přátelství mezi Severní Koreou a Sovětským svazem?",
"ro": "Când a fost semnat tratatul de prietenie dintre Coreea de Nord și Uniunea Sovietică?",
"el": "Πότε υπογράφηκε η συνθήκη φιλίας μεταξύ της Βόρειας Κορέας και της Σοβιετικής Ένωσης;",
"he": "מתי נחתם הסכם הידידות בין צפון קוריאה לברית המועצות?",
"hi": "उत्तर कोरिया और सोवियत संघ के बीच मैत्री संधि पर कब हस्ताक्षर किए गए थे?",
"id": "Kapan perjanjian persahabatan antara Korea Utara dan Uni Soviet ditandatangani?",
"vi": "Hiệp ước hữu nghị giữa Triều Tiên và Liên Xô được ký khi nào?",
"hu": "Mikor írták alá a barátsági szerződést Észak-Korea és a Szovjetunió között?",
"ca": "Quan es va signar el tractat d'amistat entre Corea del Nord i la Unió Soviètica?",
}


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    from qa.config import Settings

    base = tmp_path_factory.mktemp("qa")
    return replace(
        Settings.from_env(),
        index_dir=base / "index",
        corpus_dir=base / "corpus",
        upload_dir=base / "uploads",
    )


@pytest.fixture
def local(tmp_path, settings):
    """Settings for a private default corpus (the seed article), index and upload folder."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    return replace(settings, corpus_dir=corpus, index_dir=tmp_path / "index", upload_dir=tmp_path / "uploads")


@pytest.fixture(scope="session")
def embedder(settings):
    from qa.encoding.embedding import load_embedder

    return load_embedder(settings)


@pytest.fixture(scope="session")
def seed_index(settings, embedder, tmp_path_factory):
    from qa import build_index

    return build_index([SEED], tmp_path_factory.mktemp("seed-index"), settings=settings)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(tmp_path_factory, settings, port: int, **extra_env) -> dict[str, str]:
    """The environment app.py runs in for a test: a private corpus (the seed article), index and uploads."""
    corpus = tmp_path_factory.mktemp("app-corpus")
    (corpus / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    return {
        **os.environ,
        "QA_CACHE_DIR": str(settings.cache_dir),
        "QA_PORT": str(port),
        "QA_CORPUS_DIR": str(corpus),
        "QA_INDEX_DIR": str(tmp_path_factory.mktemp("app-index")),
        "QA_UPLOAD_DIR": str(tmp_path_factory.mktemp("app-uploads")),
        **extra_env,
    }


def start_app(tmp_path_factory, settings, **extra_env):
    """Start app.py for real on a free port; returns (process, url)."""
    port = _free_port()
    env = app_env(tmp_path_factory, settings, port, **extra_env)
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            assert process.poll() is None, "app.py exited during start-up"
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("app.py did not start within 180 s")
    return process, url


@pytest.fixture(scope="session")
def app_url(tmp_path_factory, settings, seed_index):
    process, url = start_app(tmp_path_factory, settings)
    yield url
    process.terminate()
    process.wait(timeout=30)




@pytest.fixture(scope="session")
def llm_url(tmp_path_factory):
    """llama.cpp's server with SmolLM2-135M-Instruct on a loopback port, for the session."""
    from tests.llm_servers import start_llama_server

    process, url = start_llama_server(tmp_path_factory.mktemp("llm") / "server.log")
    yield url
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def start_milvus(data_dir, port: int) -> subprocess.Popen:
    """Milvus Lite's server on a loopback port with its own data folder; waits until it answers."""
    from qa.storing.milvus_store import start_lite_server

    return start_lite_server(data_dir, port)[0]


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def milvus_uri(tmp_path_factory):
    """A Milvus Lite server for the session (tests use their own collection prefix)."""
    port = _free_port()
    process = start_milvus(tmp_path_factory.mktemp("milvus"), port)
    yield f"http://127.0.0.1:{port}"
    stop(process)
