"""The data qa hands back: answers as the JSON object of the CLI, the REST API and the app."""

from qa.results import Answer, Citation, Passage, document_name

SOURCE = "/srv/qa/uploads/project-falcon.md"


def test_python_keeps_paths_and_servers_get_document_names():
    reply = Answer(
        "[1] “Falcon ships in May.”",
        abstained=False,
        language="en",
        citations=[Citation("Falcon ships in May.", SOURCE, 0, 20)],
        passages=[Passage("Falcon ships in May. Then June.", SOURCE, 0, 31, 1.0)],
    )
    for paths, source in ((True, SOURCE), (False, "project-falcon.md")):
        body = reply.to_dict("When does Falcon ship?", paths=paths)
        assert [c["source"] for c in body["citations"]] == [p["source"] for p in body["passages"]] == [source]
    assert reply.to_dict("When does Falcon ship?") == reply.to_dict("When does Falcon ship?", paths=True)
    assert document_name(SOURCE) == "project-falcon.md"
