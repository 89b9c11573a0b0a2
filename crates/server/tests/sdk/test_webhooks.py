"""Webhooks driven by the official Python SDK (extend-ai): endpoints and subscriptions are
managed with its resources, a loopback receiver (http.server) gets the events of an edit,
and the SDK's own helper verifies their signatures (and refuses a tampered body).
Started by tests/sdk.rs (see test_edit.py for the environment it passes)."""

import hashlib
import hmac
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from extend_ai import Extend
from extend_ai.errors import BadRequestError, NotFoundError
from extend_ai.types.webhook_event import WebhookEvent_EditRunFailed, WebhookEvent_EditRunProcessed
from extend_ai.wrapper import WebhookSignatureVerificationError

URL = os.environ["FORMSMITH_URL"]
KEY = os.environ["FORMSMITH_KEY"]
OTHER_KEY = os.environ["FORMSMITH_OTHER_KEY"]
CORPUS = os.environ["FORMSMITH_CORPUS"]


def client(key=KEY):
    return Extend(token=key, base_url=URL)


def upload(c, rel):
    with open(os.path.join(CORPUS, rel), "rb") as f:
        return c.files.upload(file=(os.path.basename(rel), f.read(), "application/pdf"))


class Receiver:
    """A loopback HTTP server that records every POST (raw body, headers) and answers 200."""

    def __init__(self):
        self.hits = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.hits.append((body, dict(self.headers.items())))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/formsmith"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, run_id, timeout=30.0):
        """The first delivery whose payload is run `run_id`: (raw body text, headers)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for body, headers in self.hits:
                    if json.loads(body)["payload"].get("id") == run_id:
                        return body.decode("utf-8"), headers
            time.sleep(0.05)
        raise AssertionError(f"no webhook for {run_id} within {timeout}s; got {len(self.hits)}")


def test_endpoint_subscription_and_verified_delivery():
    c = client()
    with Receiver() as rx:
        endpoint = c.webhook_endpoints.create(
            url=rx.url,
            name="sdk receiver",
            enabled_events=["edit_run.processed", "edit_run.failed"],
            api_version="2026-02-09",
            advanced_options={"headers": {"X-Receiver": "sdk"}},
        )
        secret = endpoint.signing_secret
        assert endpoint.id.startswith("wh_") and secret.startswith("wss_")
        assert endpoint.status == "enabled" and endpoint.api_version == "2026-02-09"
        assert [e.value for e in endpoint.enabled_events] == ["edit_run.processed", "edit_run.failed"]
        assert endpoint.advanced_options.headers == {"X-Receiver": "sdk"}

        got = c.webhook_endpoints.retrieve(endpoint.id)
        assert got.url == rx.url and "signingSecret" not in got.model_dump(by_alias=True)
        assert endpoint.id in [e.id for e in c.webhook_endpoints.list().data]
        renamed = c.webhook_endpoints.update(endpoint.id, name="sdk receiver (renamed)")
        assert renamed.name == "sdk receiver (renamed)" and renamed.url == rx.url
        with pytest.raises(BadRequestError):
            c.webhook_endpoints.create(url="ftp://x.test/", name="n", enabled_events=[], api_version="2026-02-09")
        with pytest.raises(NotFoundError):
            client(OTHER_KEY).webhook_endpoints.retrieve(endpoint.id)

        sub = c.webhook_subscriptions.create(
            webhook_endpoint_id=endpoint.id,
            resource_type="workflow",
            resource_id="workflow_sdk_test",
            enabled_events=["workflow_run.completed"],
        )
        assert sub.id.startswith("whes_") and sub.webhook_endpoint_id == endpoint.id
        assert [s.id for s in c.webhook_subscriptions.list(webhook_endpoint_id=endpoint.id).data] == [sub.id]
        updated = c.webhook_subscriptions.update(sub.id, enabled_events=["workflow_run.failed"])
        assert [e.value for e in updated.enabled_events] == ["workflow_run.failed"]
        assert c.webhook_subscriptions.retrieve(sub.id).resource_id == "workflow_sdk_test"

        # An edit: the event arrives, and the SDK's verifier accepts it.
        f = upload(c, "fillable/irs-fw9-2024.pdf")
        run = c.edit(file={"id": f.id})
        assert run.status == "PROCESSED"
        body, headers = rx.wait_for(run.id)
        assert {k.lower(): v for k, v in headers.items()}.get("x-receiver") == "sdk"
        assert c.webhooks.verify(body, headers, secret)
        event = c.webhooks.verify_and_parse(body, headers, secret)
        assert isinstance(event, WebhookEvent_EditRunProcessed), type(event)
        assert event.event_type == "edit_run.processed"
        assert event.event_id.startswith("evt_")
        assert event.payload.id == run.id and event.payload.status == "PROCESSED"
        assert event.payload.output.edited_file.id == run.output.edited_file.id

        # A tampered body, another secret, a stale timestamp: refused.
        tampered = body.replace('"PROCESSED"', '"FAILED"', 1)
        assert tampered != body
        assert not c.webhooks.verify(tampered, headers, secret)
        with pytest.raises(WebhookSignatureVerificationError):
            c.webhooks.verify_and_parse(tampered, headers, secret)
        assert not c.webhooks.verify(body, headers, "wss_not_the_secret")
        # Signed like the server signs, an hour ago: the SDK refuses it unless told not to
        # check the age (the server signs each attempt at the time it is sent).
        old = str(int(time.time()) - 3600)
        stale = {k: v for k, v in headers.items() if not k.lower().startswith("x-extend-request-")}
        stale["x-extend-request-timestamp"] = old
        stale["x-extend-request-signature"] = hmac.new(
            secret.encode(), f"v0:{old}:{body}".encode(), hashlib.sha256
        ).hexdigest()
        assert not c.webhooks.verify(body, stale, secret)
        assert c.webhooks.verify(body, stale, secret, max_age_seconds=0)

        # A corrupt PDF: edit_run.failed, typed by the SDK.
        bad = upload(c, "broken/garbage-with-header.pdf")
        failed = c.edit_runs.create(file={"id": bad.id})
        body, headers = rx.wait_for(failed.id)
        event = c.webhooks.verify_and_parse(body, headers, secret)
        assert isinstance(event, WebhookEvent_EditRunFailed), type(event)
        assert event.payload.failure_reason == "CORRUPT_FILE"

        assert c.webhook_subscriptions.delete(sub.id).id == sub.id
        assert c.webhook_endpoints.delete(endpoint.id).id == endpoint.id
        with pytest.raises(NotFoundError):
            c.webhook_endpoints.retrieve(endpoint.id)
