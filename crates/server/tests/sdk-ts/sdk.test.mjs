// The official TypeScript SDK (extend-ai, pinned in package.json) driving a real
// `formsmith serve` on loopback: uploads, edits (sync, createAndPoll, schema generation),
// files and runs listing, parse with chunking, typed errors.
// Started by tests/sdk.rs with FORMSMITH_URL, FORMSMITH_KEY, FORMSMITH_OTHER_KEY and
// FORMSMITH_CORPUS; run by hand with `node --test` in this folder.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { test } from "node:test";

import { Extend, ExtendClient } from "extend-ai";

const URL = process.env.FORMSMITH_URL;
const KEY = process.env.FORMSMITH_KEY;
const OTHER_KEY = process.env.FORMSMITH_OTHER_KEY;
const CORPUS = process.env.FORMSMITH_CORPUS;
const W9 = "fillable/irs-fw9-2024.pdf";
const FAST = { initialDelayMs: 100, maxWaitMs: 120_000 };

const client = (token = KEY) => new ExtendClient({ token, baseUrl: URL });

async function upload(c, rel) {
  const bytes = readFileSync(join(CORPUS, rel));
  const blob = new Blob([bytes], { type: "application/pdf" });
  return c.files.upload(new File([blob], basename(rel)), {});
}

test("upload, sync edit with a schema, download and list", async () => {
  const c = client();
  const f = await upload(c, W9);
  assert.match(f.id, /^file_/);
  assert.equal(f.type, "PDF");
  assert.equal(f.metadata.pageCount, 6);

  const generated = await c.editSchemas.generate({ file: { id: f.id } });
  const schema = generated.output?.schema ?? generated.schema ?? generated.output;
  assert.ok(schema?.properties, JSON.stringify(generated).slice(0, 400));
  // A text field without a length limit (the W-9's first ones are SSN comb cells).
  const textKey = Object.keys(schema.properties).find((k) => {
    const p = schema.properties[k];
    return p["extend_edit:field_type"] === "text" && !p["extend_edit:text_edit_options"]?.maxLength;
  });
  assert.ok(textKey, "the W-9 has text fields");

  const run = await c.edit({
    file: { id: f.id },
    config: {
      schema: {
        type: "object",
        properties: {
          [textKey]: { ...schema.properties[textKey], "extend_edit:value": "Jordan Avery" },
        },
      },
    },
  });
  assert.equal(run.status, "PROCESSED");
  assert.equal(run.output.filledValues[textKey], "Jordan Avery");
  const pdf = await fetch(run.output.editedFile.presignedUrl);
  assert.equal(pdf.status, 200);
  const bytes = Buffer.from(await pdf.arrayBuffer());
  assert.equal(bytes.subarray(0, 5).toString(), "%PDF-");

  const same = await c.editRuns.retrieve(run.id);
  assert.equal(same.output.filledValues[textKey], "Jordan Avery");
  const files = await c.files.list({ maxPageSize: 50 });
  assert.ok(files.data.some((x) => x.id === f.id));
});

test("createAndPoll with a sentence fills what it says, nothing else", async () => {
  const c = client();
  const f = await upload(c, W9);
  const run = await c.editRuns.createAndPoll(
    {
      file: { id: f.id },
      config: { instructions: "My name is Jordan Avery and I live at 12 Elm Street, Dayton, OH 45402." },
    },
    FAST,
  );
  assert.equal(run.status, "PROCESSED", JSON.stringify(run).slice(0, 400));
  const values = Object.values(run.output.filledValues ?? {});
  assert.ok(values.includes("Jordan Avery"), JSON.stringify(run.output.filledValues));
  assert.ok(values.includes("12 Elm Street"), JSON.stringify(run.output.filledValues));
  assert.ok(!values.some((v) => /I live|My name/.test(String(v))), JSON.stringify(run.output.filledValues));
});

test("parse with page chunks and document chunks", async () => {
  const c = client();
  const f = await upload(c, W9);
  const pages = await c.parse({ file: { id: f.id } });
  assert.equal(pages.status, "PROCESSED");
  assert.deepEqual(
    pages.output.chunks.map((ch) => ch.metadata.pageRange.start),
    [1, 2, 3, 4, 5, 6],
  );
  assert.ok(pages.output.chunks[0].content.includes("Request for Taxpayer"));
  const doc = await c.parseRuns.createAndPoll(
    { file: { id: f.id }, config: { chunkingStrategy: { type: "document" } } },
    FAST,
  );
  assert.equal(doc.status, "PROCESSED");
  assert.equal(doc.output.chunks.length, 1);
});

test("typed errors: bad key, another workspace, malformed schema", async () => {
  const c = client();
  const f = await upload(c, W9);
  await assert.rejects(client("sk_not_a_key").files.list(), (e) => e.statusCode === 401);
  await assert.rejects(client(OTHER_KEY).files.retrieve(f.id), Extend.NotFoundError);
  await assert.rejects(
    c.edit({
      file: { id: f.id },
      config: {
        schema: { type: "object", properties: { x: { type: "string", "extend_edit:field_type": "checkbox" } } },
      },
    }),
    (e) => e instanceof Extend.BadRequestError && JSON.stringify(e.body).includes("INVALID_OPTIONS"),
  );
});
