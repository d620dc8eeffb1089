from qa.config import Settings
from qa.serving.mode import answering_mode


def test_a_language_models_server_is_told_by_host_never_by_its_key_user_or_path():
    mode = answering_mode(Settings(llm_url="https://reader:s3cret@llm.example.org:8443/private/v1", llm_model="qwen2.5:3b"))
    said = mode.to_dict()
    assert said == {"mode": "generated", "model": "qwen2.5:3b", "host": "llm.example.org:8443", "connect": None}
    assert "s3cret" not in mode.describe() and "/private" not in mode.describe()


def test_an_ipv6_server_is_told_in_brackets():
    assert answering_mode(Settings(llm_url="http://[::1]:8080/v1")).host == "[::1]:8080"


def test_without_a_language_model_the_reply_is_said_to_quote_and_how_to_connect_one():
    said = answering_mode(Settings()).to_dict()
    assert said["mode"] == "extractive" and said["model"] is None and said["host"] is None
    assert "QA_LLM_URL" in said["connect"]
