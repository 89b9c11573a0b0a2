"""The server driven by the official Python SDK (extend-ai, pinned in .ci/run), unchanged
but for its base URL. Started by tests/sdk.rs, which runs the server and passes:
FORMSMITH_URL, FORMSMITH_KEY (workspace ws_default), FORMSMITH_OTHER_KEY (ws_other),
FORMSMITH_CORPUS (../shared/corpus), FORMSMITH_MAX_UPLOAD (the server's upload limit)."""

import os
import subprocess
import tempfile

import httpx
import pytest
from extend_ai import Extend, PollingOptions
from extend_ai.core.api_error import ApiError
from extend_ai.errors import (
    BadRequestError,
    NotFoundError,
    UnauthorizedError,
    UnprocessableEntityError,
)

URL = os.environ["FORMSMITH_URL"]
KEY = os.environ["FORMSMITH_KEY"]
OTHER_KEY = os.environ["FORMSMITH_OTHER_KEY"]
CORPUS = os.environ["FORMSMITH_CORPUS"]
MAX_UPLOAD = int(os.environ["FORMSMITH_MAX_UPLOAD"])
FAST = PollingOptions(fast_poll_interval_ms=100, initial_delay_ms=100, max_wait_ms=60_000)


def client(key=KEY, **kw):
    return Extend(token=key, base_url=URL, **kw)


def corpus(rel):
    return os.path.join(CORPUS, rel)


def upload(c, rel, **kw):
    with open(corpus(rel), "rb") as f:
        return c.files.upload(file=(os.path.basename(rel), f.read(), "application/pdf"), **kw)


def text_of(url, password=None):
    """Downloads a presigned URL and returns pdftotext's text of it."""
    pdf = httpx.get(url, timeout=30).raise_for_status().content
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        cmd = ["pdftotext"] + (["-upw", password] if password else []) + [tmp.name, "-"]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def plain_text_key(schema):
    """A text property without comb/max length (prefers one named like a name)."""
    plain = [
        k
        for k, p in schema["properties"].items()
        if p.get("extend_edit:field_type") == "text"
        and not (p.get("extend_edit:text_edit_options") or {}).get("maxLength")
        and not (p.get("extend_edit:text_edit_options") or {}).get("combing")
        and not (p.get("extend_edit:text_edit_options") or {}).get("multiLine")
    ]
    named = [k for k in plain if "name" in k]
    return (named or plain)[0]


def schema_with(c, file_ref, value, **detect_kw):
    """Detect form -> the schema, with `value` pinned on a plain text field."""
    run = c.detect_form(file=file_ref, **detect_kw)
    assert run.status == "PROCESSED", run
    assert run.id.startswith("sgr_")
    schema = run.output.model_dump(by_alias=True, exclude_none=True)["schema"]
    key = plain_text_key(schema)
    schema["properties"][key]["extend_edit:value"] = value
    return schema, key


def test_upload_edit_poll_download_list_delete():
    c = client()
    f = upload(c, "fillable/irs-fw9-2024.pdf")
    assert f.id.startswith("file_") and f.type == "PDF" and f.presigned_url is None
    assert f.metadata.page_count == 6
    got = c.files.retrieve(f.id)
    assert got.presigned_url and got.name == "irs-fw9-2024.pdf"

    schema, key = schema_with(c, {"id": f.id}, "Jordan Avery")

    # Sync edit.
    run = c.edit(file={"id": f.id}, config={"schema": schema})
    assert run.status == "PROCESSED" and run.id.startswith("edr_")
    assert run.output.filled_values[key] == "Jordan Avery"
    assert run.config.advanced_options.flatten_pdf is True
    assert run.config.engine_version == "1.0.0"
    assert run.metrics.page_count == 6 and run.metrics.field_count >= 1
    assert run.usage.credits == 6
    assert "Jordan Avery" in text_of(run.output.edited_file.presigned_url)

    # Async edit through the SDK's polling wrapper.
    polled = c.edit_runs.create_and_poll(
        file={"id": f.id},
        config={"schema": schema, "advancedOptions": {"flattenPdf": False}},
        polling_options=FAST,
    )
    assert polled.status == "PROCESSED", polled
    assert polled.config.advanced_options.flatten_pdf is False
    assert "Jordan Avery" in text_of(polled.output.edited_file.presigned_url)
    edited_id = polled.output.edited_file.id
    assert c.files.retrieve(edited_id).name == "irs-fw9-2024_edited.pdf"

    # List (newest first), filters, pages.
    listed = c.edit_runs.list()
    ids = [r.id for r in listed.data]
    assert ids[:2] == [polled.id, run.id]
    assert all(r.status == "PROCESSED" for r in listed.data)
    assert c.edit_runs.list(status="FAILED").data == []
    first = c.edit_runs.list(max_page_size=1, sort_by="createdAt", sort_dir="asc")
    assert first.data[0].id == run.id and first.next_page_token
    second = c.edit_runs.list(max_page_size=1, sort_by="createdAt", sort_dir="asc", next_page_token=first.next_page_token)
    assert second.data[0].id == polled.id
    assert any(x.id == f.id for x in c.files.list().data)

    # Delete: the run and its output file are gone.
    assert c.edit_runs.delete(polled.id).id == polled.id
    with pytest.raises(NotFoundError) as e:
        c.edit_runs.retrieve(polled.id)
    assert e.value.body["code"] == "NOT_FOUND"
    with pytest.raises(NotFoundError):
        c.files.retrieve(edited_id)
    assert c.files.delete(f.id).id == f.id
    with pytest.raises(NotFoundError):
        c.files.retrieve(f.id)


def test_form_detection_runs_and_schema_generation():
    c = client()
    f = upload(c, "fillable/irs-fw9-2024.pdf")
    created = c.form_detection_runs.create(file={"id": f.id}, config={"advancedOptions": {"radioEnumsEnabled": True}})
    assert created.status in ("PROCESSING", "PROCESSED")
    for _ in range(200):
        done = c.form_detection_runs.retrieve(created.id)
        if done.status != "PROCESSING":
            break
    assert done.status == "PROCESSED"
    assert done.metrics.page_count == 6 and done.metrics.fields_detected_count >= 20
    assert done.config.advanced_options.radio_enums_enabled is True
    generated = c.edit_schemas.generate(file={"id": f.id})
    assert generated.schema_.properties


def test_errors_no_key_other_workspace_version():
    c = client()
    f = upload(c, "fillable/irs-fw9-2024.pdf")
    run = c.edit_runs.create(file={"id": f.id})
    # No (or a wrong) key: 401.
    with pytest.raises(UnauthorizedError) as e:
        client("sk_not_a_key").edit_runs.retrieve(run.id)
    assert e.value.body["code"] == "UNAUTHORIZED" and e.value.body["requestId"].startswith("req_")
    r = httpx.get(f"{URL}/edit_runs/{run.id}")
    assert r.status_code == 401 and r.headers["x-extend-request-id"] == r.json()["requestId"]
    # Another workspace's run and file: 404, not 403.
    other = client(OTHER_KEY)
    with pytest.raises(NotFoundError):
        other.edit_runs.retrieve(run.id)
    with pytest.raises(NotFoundError):
        other.files.retrieve(f.id)
    assert all(x.id != run.id for x in other.edit_runs.list().data)
    # The SDK's template list (no templates here yet): a typed, empty page.
    page = c.edit_templates.list(name_contains="W-9", max_page_size=10)
    assert page.object == "list" and page.data == [] and page.next_page_token is None
    # A known route with a method it does not take: the JSON error body, 405.
    r = httpx.patch(f"{URL}/edit_runs/{run.id}", headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 405 and r.json()["code"] == "METHOD_NOT_ALLOWED"
    # An API version we do not speak: 400.
    with pytest.raises(BadRequestError) as e:
        client(extend_api_version="2024-12-23").edit_runs.retrieve(run.id)
    assert e.value.body["code"] == "INVALID_REQUEST"


def test_corrupt_file():
    c = client()
    f = upload(c, "broken/garbage-with-header.pdf")
    failed = c.edit_runs.create_and_poll(file={"id": f.id}, polling_options=FAST)
    assert failed.status == "FAILED" and failed.failure_reason == "CORRUPT_FILE"
    assert failed.failure_message and failed.output is None
    with pytest.raises(UnprocessableEntityError) as e:
        c.edit(file={"id": f.id})
    assert e.value.body.code == "CORRUPT_FILE" and e.value.body.retryable is False


def test_encrypted_file_with_and_without_password():
    c = client()
    f = upload(c, "broken/user-password-required.pdf")
    failed = c.edit_runs.create_and_poll(file={"id": f.id}, polling_options=FAST)
    assert failed.failure_reason == "PASSWORD_PROTECTED_FILE"
    with pytest.raises(UnprocessableEntityError) as e:
        c.edit(file={"id": f.id})
    assert e.value.body.code == "PASSWORD_PROTECTED_FILE"

    # By URL (our own presigned link) with settings.password: it opens and fills.
    url = c.files.retrieve(f.id).presigned_url
    ref = {"url": url, "settings": {"password": "userpw"}}
    schema, key = schema_with(c, ref, "Quill")
    run = c.edit(file=ref, config={"schema": schema})
    assert run.status == "PROCESSED" and run.output.filled_values[key] == "Quill"
    assert "Quill" in text_of(run.output.edited_file.presigned_url, password="userpw")

    # Uploaded with its password: usable by id.
    g = upload(c, "broken/user-password-required.pdf", password="userpw")
    assert g.metadata.page_count == 2
    run = c.edit(file={"id": g.id}, config={"schema": schema})
    assert run.status == "PROCESSED"


def test_oversize_upload():
    c = client()
    with pytest.raises(ApiError) as e:
        c.files.upload(file=("big.pdf", b"%PDF-1.7\n" + b"0" * (MAX_UPLOAD + 1), "application/pdf"))
    assert e.value.status_code == 413
    assert e.value.body["code"] == "FILE_SIZE_TOO_LARGE"
