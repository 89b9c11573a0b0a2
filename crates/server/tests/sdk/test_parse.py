"""Parse runs driven by the official Python SDK (spec §6): sync parse, create_and_poll,
responseType=url, batches (with a FileFromText input), cancel, delete, errors.
Started by tests/sdk.rs (see test_edit.py for the environment it passes)."""

import collections
import os
import subprocess
import time

import httpx
import pytest
from extend_ai import Extend, PollingOptions
from extend_ai.errors import BadRequestError, NotFoundError, UnprocessableEntityError

URL = os.environ["FORMSMITH_URL"]
KEY = os.environ["FORMSMITH_KEY"]
OTHER_KEY = os.environ["FORMSMITH_OTHER_KEY"]
CORPUS = os.environ["FORMSMITH_CORPUS"]
FAST = PollingOptions(fast_poll_interval_ms=100, initial_delay_ms=100, max_wait_ms=120_000)
W9 = "fillable/irs-fw9-2024.pdf"


def client(key=KEY):
    return Extend(token=key, base_url=URL)


def corpus(rel):
    return os.path.join(CORPUS, rel)


def upload(c, rel):
    with open(corpus(rel), "rb") as f:
        return c.files.upload(file=(os.path.basename(rel), f.read(), "application/pdf"))


def chars(text):
    return collections.Counter(ch for ch in text if not ch.isspace())


def recall(reference, candidate):
    """Share of the reference's non-space characters (as a multiset) found in candidate."""
    ref, got = chars(reference), chars(candidate)
    total = sum(ref.values())
    return sum(min(n, got[ch]) for ch, n in ref.items()) / max(total, 1)


def pdftotext(rel):
    return subprocess.run(
        ["pdftotext", corpus(rel), "-"], check=True, capture_output=True, text=True
    ).stdout


def all_content(run):
    return "\n".join(chunk.content for chunk in run.output.chunks)


def test_sync_parse_covers_every_page_and_the_text():
    c = client()
    f = upload(c, W9)
    run = c.parse(file={"id": f.id})
    assert run.id.startswith("pr_") and run.status == "PROCESSED", run
    assert run.batch_id is None
    assert run.metrics.page_count == f.metadata.page_count == 6
    # Page chunks by default, one per page, in order, covering every page.
    ranges = [(ch.metadata.page_range.start, ch.metadata.page_range.end) for ch in run.output.chunks]
    assert ranges == [(p, p) for p in range(1, 7)], ranges
    assert all(ch.type == "page" for ch in run.output.chunks)
    assert recall(pdftotext(W9), all_content(run)) >= 0.98
    # The effective config is echoed with our defaults.
    assert run.config.target == "markdown"
    assert run.config.chunking_strategy.type == "page"
    assert run.usage.credits == 6


def test_file_contents_come_from_its_latest_parse():
    c = client()
    f = upload(c, W9)
    # Never parsed: no contents, whatever the flags.
    assert c.files.retrieve(f.id, raw_text=True).contents is None
    c.parse(file={"id": f.id})
    got = c.files.retrieve(f.id, raw_text=True, markdown=True, html=True)
    contents = got.contents
    assert contents is not None, got
    assert recall(pdftotext(W9), contents.raw_text) >= 0.95
    assert [p.page_number for p in contents.pages] == list(range(1, 7))
    assert all(p.markdown and p.html and p.page_width and p.page_height for p in contents.pages)
    assert "<p>" in contents.pages[0].html
    # Only what was asked for.
    only_text = c.files.retrieve(f.id, raw_text=True).contents
    assert only_text.raw_text and not only_text.pages
    # Plain retrieval keeps contents null (the flags are the deprecated opt-in).
    assert c.files.retrieve(f.id).contents is None


def test_create_and_poll_document_chunking_and_url_output():
    c = client()
    f = upload(c, W9)
    run = c.parse_runs.create_and_poll(
        file={"id": f.id},
        config={"chunkingStrategy": {"type": "document"}},
        metadata={"customer": "acme", "extend:usage_tags": ["parse-test"]},
        polling_options=FAST,
    )
    assert run.status == "PROCESSED", run
    assert [ch.type for ch in run.output.chunks] == ["document"]
    assert run.output.chunks[0].metadata.page_range.end == 6
    assert run.metadata["customer"] == "acme"
    # responseType=url: no inline output, a presigned link to the same JSON.
    by_url = c.parse_runs.retrieve(run.id, response_type="url")
    assert by_url.output is None and by_url.output_url, by_url
    fetched = httpx.get(by_url.output_url, timeout=30).raise_for_status().json()
    inline = c.parse_runs.retrieve(run.id).output.model_dump(by_alias=True, exclude_none=True)
    assert [ch["content"] for ch in fetched["chunks"]] == [ch["content"] for ch in inline["chunks"]]
    # The same through the sync endpoint.
    sync = c.parse(file={"id": f.id}, response_type="url")
    assert sync.output is None and sync.output_url


def test_batch_with_text_input_then_list_by_batch():
    c = client()
    a, b = upload(c, W9), upload(c, "fillable/irs-f1040-prefilled.pdf")
    batch = c.parse_runs.create_batch(
        inputs=[
            {"file": {"id": a.id}, "metadata": {"n": 1}},
            {"file": {"id": b.id}, "metadata": {"n": 2}},
            {"file": {"text": "# Notes\n\nPlain text goes through too.", "name": "notes.md"}},
        ],
        config={"target": "markdown"},
    )
    assert batch.id.startswith("bpar_") and batch.status == "PENDING" and batch.run_count == 3
    deadline = time.time() + 120
    while c.batch_runs.get(batch.id).status != "PROCESSED":
        assert time.time() < deadline, "batch did not finish"
        time.sleep(0.2)
    runs = c.parse_runs.list(batch_id=batch.id).data
    assert len(runs) == 3
    assert {r.batch_id for r in runs} == {batch.id}
    by_n = {(r.metadata or {}).get("n"): r for r in runs}
    assert by_n[1].status == by_n[2].status == "PROCESSED"
    text_run = c.parse_runs.retrieve(by_n[None].id)
    assert text_run.status == "PROCESSED", text_run
    assert "Plain text goes through too." in all_content(text_run)
    # Other filters still apply beside batchId.
    assert c.parse_runs.list(batch_id=batch.id, status="FAILED").data == []


def test_cancel_a_pending_run_and_delete():
    c = client()
    f = upload(c, "fillable/uscis-i485-xfa-aes128.pdf")
    # Enough runs that the last ones still wait when we cancel.
    batch = c.parse_runs.create_batch(inputs=[{"file": {"id": f.id}} for _ in range(8)])
    last = c.parse_runs.list(batch_id=batch.id).data[0]  # newest first
    # CANCELLED is not in the SDK's status enum (it parses as unknown, which its pollers
    # treat as terminal), so read the wire value.
    raw = c.parse_runs.with_raw_response.cancel(last.id)
    assert raw._response.json()["status"] == "CANCELLED"
    assert raw.data.id == last.id
    with pytest.raises(BadRequestError):
        c.parse_runs.cancel(last.id)
    deadline = time.time() + 180
    while c.batch_runs.get(batch.id).status != "PROCESSED":
        assert time.time() < deadline, "batch did not finish"
        time.sleep(0.3)
    again = c.parse_runs.with_raw_response.retrieve(last.id)._response.json()
    assert again["status"] == "CANCELLED" and again["output"] is None
    done = [r for r in c.parse_runs.list(batch_id=batch.id).data if r.id != last.id]
    assert all(r.status == "PROCESSED" for r in done), [r.status for r in done]
    assert c.parse_runs.delete(last.id).id == last.id
    with pytest.raises(NotFoundError):
        c.parse_runs.retrieve(last.id)


def test_errors():
    c = client()
    f = upload(c, W9)
    # A bad config is refused up front, naming the key.
    with pytest.raises(BadRequestError) as e:
        c.parse(file={"id": f.id}, config={"target": "html"})
    assert e.value.body["code"] == "INVALID_CONFIG_OPTIONS" and "target" in e.value.body["message"]
    with pytest.raises(BadRequestError):
        c.parse(file={"id": f.id}, config={"target": "spatial", "chunkingStrategy": {"type": "section"}})
    # Another workspace sees nothing.
    run = c.parse(file={"id": f.id})
    with pytest.raises(NotFoundError):
        client(OTHER_KEY).parse_runs.retrieve(run.id)
    # A corrupt PDF: the async run fails with CORRUPT_FILE, the sync call is a 422.
    with open(corpus("broken/garbage-with-header.pdf"), "rb") as fh:
        bad = c.files.upload(file=("garbage.pdf", fh.read(), "application/pdf"))
    failed = c.parse_runs.create_and_poll(file={"id": bad.id}, polling_options=FAST)
    assert failed.status == "FAILED" and failed.failure_reason == "CORRUPT_FILE", failed
    with pytest.raises(UnprocessableEntityError):
        c.parse(file={"id": bad.id})
