//! The OpenAPI 3.1 document of what this server serves (`GET /openapi.json`), assembled
//! from the route table: every route carries its operation, so none is left out.

use serde_json::{Map, Value, json};


/// One row of the route table.
pub struct RouteDef {
    /// HTTP method (upper case).
    pub method: &'static str,
    /// Path with `{param}` segments.
    pub path: &'static str,
    /// Versioned, authenticated API route (else: system route).
    pub api: bool,
    /// The OpenAPI operation object.
    pub operation: Value,
}

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn ok(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn errors(codes: &[u16]) -> Map<String, Value> {
    codes
        .iter()
        .map(|c| {
            (
                c.to_string(),
                json!({ "$ref": format!("#/components/responses/Error{c}") }),
            )
        })
        .collect()
}

fn operation(
    id: &str,
    tag: &str,
    summary: &str,
    params: Value,
    body: Option<Value>,
    success: Value,
    error_codes: &[u16],
) -> Value {
    let mut responses = errors(error_codes);
    responses.insert("200".into(), success);
    let mut o = json!({
        "operationId": id,
        "tags": [tag],
        "summary": summary,
        "parameters": params,
        "responses": responses,
    });
    if let Some(b) = body {
        o["requestBody"] = b;
    }
    o
}

fn json_body(schema: Value) -> Option<Value> {
    Some(json!({ "required": true, "content": { "application/json": { "schema": schema } } }))
}

fn path_id(description: &str) -> Value {
    json!([{ "name": "id", "in": "path", "required": true, "description": description, "schema": { "type": "string" } },
           { "$ref": "#/components/parameters/WorkspaceId" }])
}

fn ws() -> Value {
    json!([{ "$ref": "#/components/parameters/WorkspaceId" }])
}

const CREATE_ERRORS: &[u16] = &[400, 401, 404, 413, 429, 500];
const SYNC_ERRORS: &[u16] = &[400, 401, 404, 413, 422, 429, 500, 504];
const READ_ERRORS: &[u16] = &[400, 401, 404, 429, 500];

/// One operation per route.
pub mod op {
    use super::*;

    /// `POST /edit`.
    pub fn edit_sync() -> Value {
        operation(
            "edit",
            "Edit",
            "Edit a PDF and wait for the result (processing failures are HTTP errors: 400 INVALID_OPTIONS, 413 FILE_SIZE_TOO_LARGE, 422 for the other reasons, 500 INTERNAL_ERROR, 504 TIMEOUT with runId).",
            ws(),
            json_body(r("EditRequest")),
            ok("The finished edit run", r("EditRun")),
            SYNC_ERRORS,
        )
    }
    /// `POST /edit_runs`.
    pub fn edit_create() -> Value {
        operation(
            "createEditRun",
            "Edit",
            "Start an edit run; answers at once with status PROCESSING.",
            ws(),
            json_body(r("EditRequest")),
            ok("The accepted edit run", r("EditRun")),
            CREATE_ERRORS,
        )
    }
    /// `GET /edit_runs`.
    pub fn edit_list() -> Value {
        let mut params = vec![
            json!({ "name": "status", "in": "query", "schema": { "type": "string", "enum": ["PROCESSING", "PROCESSED", "FAILED"] } }),
            json!({ "name": "source", "in": "query", "schema": { "type": "string", "enum": ["API", "STUDIO", "ADMIN"] } }),
            json!({ "name": "fileNameContains", "in": "query", "schema": { "type": "string" } }),
            json!({ "name": "sortBy", "in": "query", "schema": { "type": "string", "enum": ["updatedAt", "createdAt"], "default": "updatedAt" } }),
        ];
        params.extend(paging());
        operation(
            "listEditRuns",
            "Edit",
            "List edit runs (summaries), newest first by default.",
            Value::Array(params),
            None,
            ok("A page of edit runs", r("EditRunList")),
            READ_ERRORS,
        )
    }
    /// `GET /edit_runs/{id}`.
    pub fn edit_get() -> Value {
        operation(
            "getEditRun",
            "Edit",
            "Get an edit run (fresh presigned URL for its edited file).",
            path_id("Edit run id (edr_…)"),
            None,
            ok("The edit run", r("EditRun")),
            READ_ERRORS,
        )
    }
    /// `DELETE /edit_runs/{id}`.
    pub fn edit_delete() -> Value {
        operation(
            "deleteEditRun",
            "Edit",
            "Delete an edit run and its edited file.",
            path_id("Edit run id (edr_…)"),
            None,
            ok("Deleted", r("DeleteResponse")),
            READ_ERRORS,
        )
    }
    /// `GET /edit_templates`.
    pub fn template_list() -> Value {
        let mut params = vec![
            json!({ "name": "nameContains", "in": "query", "schema": { "type": "string" }, "description": "Case-insensitive substring of the name." }),
            json!({ "name": "sortBy", "in": "query", "schema": { "type": "string", "enum": ["updatedAt", "createdAt"], "default": "updatedAt" } }),
        ];
        params.extend(paging());
        operation(
            "listEditTemplates",
            "Edit",
            "List edit templates (summaries; the full template from GET /edit_templates/{id}).",
            Value::Array(params),
            None,
            ok("A page of edit templates", r("EditTemplateList")),
            READ_ERRORS,
        )
    }
    /// `GET /edit_templates/{id}`.
    pub fn template_get() -> Value {
        operation(
            "getEditTemplate",
            "Edit",
            "Get an edit template.",
            path_id("Edit template id (edt_…)"),
            None,
            ok("The template", r("EditTemplate")),
            READ_ERRORS,
        )
    }
    /// `POST /detect_form`.
    pub fn detect_sync() -> Value {
        operation(
            "detectForm",
            "Form detection",
            "Detect a PDF's fields and return the annotated edit schema; waits for the run.",
            ws(),
            json_body(r("DetectFormRequest")),
            ok("The finished form detection run", r("FormDetectionRun")),
            SYNC_ERRORS,
        )
    }
    /// `POST /form_detection_runs`.
    pub fn detect_create() -> Value {
        operation(
            "createFormDetectionRun",
            "Form detection",
            "Start a form detection run.",
            ws(),
            json_body(r("DetectFormRequest")),
            ok("The accepted run", r("FormDetectionRun")),
            CREATE_ERRORS,
        )
    }
    /// `GET /form_detection_runs/{id}`.
    pub fn detect_get() -> Value {
        operation(
            "getFormDetectionRun",
            "Form detection",
            "Get a form detection run.",
            path_id("Form detection run id (sgr_…)"),
            None,
            ok("The run", r("FormDetectionRun")),
            READ_ERRORS,
        )
    }
    /// `POST /edit_schemas/generate`.
    pub fn schema_generate() -> Value {
        let mut o = operation(
            "generateEditSchema",
            "Form detection",
            "Deprecated: generate an edit schema synchronously (use /detect_form).",
            ws(),
            json_body(r("DetectFormRequest")),
            ok("The generated schema", r("EditSchemaGenerationResponse")),
            SYNC_ERRORS,
        );
        o["deprecated"] = json!(true);
        o
    }
    /// `POST /parse`.
    pub fn parse_sync() -> Value {
        let mut params = vec![response_type()];
        params.push(json!({ "$ref": "#/components/parameters/WorkspaceId" }));
        operation(
            "parse",
            "Parse",
            "Parse a document and wait for the result (a failed parse is the mapped HTTP error).",
            Value::Array(params),
            json_body(r("ParseRequest")),
            ok("The finished parse run", r("ParseRun")),
            SYNC_ERRORS,
        )
    }
    /// `POST /parse_runs`.
    pub fn parse_create() -> Value {
        operation(
            "createParseRun",
            "Parse",
            "Start a parse run (answers at once with status PROCESSING).",
            ws(),
            json_body(r("ParseRequest")),
            ok("The accepted run", r("ParseRun")),
            CREATE_ERRORS,
        )
    }
    /// `POST /parse_runs/batch`.
    pub fn parse_batch() -> Value {
        operation(
            "createParseRunBatch",
            "Parse",
            "Start 1–1000 parse runs with one config (each PENDING until a worker takes it).",
            ws(),
            json_body(r("ParseBatchRequest")),
            ok("The batch", r("BatchRun")),
            CREATE_ERRORS,
        )
    }
    /// `GET /parse_runs`.
    pub fn parse_list() -> Value {
        let mut params = vec![
            json!({ "name": "status", "in": "query", "schema": { "type": "string", "enum": ["PENDING", "PROCESSING", "PROCESSED", "FAILED", "CANCELLED"] } }),
            json!({ "name": "batchId", "in": "query", "schema": { "type": "string" }, "description": "Members of this batch (over source)." }),
            json!({ "name": "source", "in": "query", "schema": { "type": "string" } }),
            json!({ "name": "sourceId", "in": "query", "schema": { "type": "string" } }),
            json!({ "name": "fileNameContains", "in": "query", "schema": { "type": "string" } }),
        ];
        params.extend(paging());
        operation(
            "listParseRuns",
            "Parse",
            "List parse runs (summaries), newest first.",
            Value::Array(params),
            None,
            ok("A page of parse runs", json!({ "type": "object", "required": ["object", "data"], "properties": {
                "object": { "const": "list" }, "nextPageToken": { "type": "string" },
                "data": { "type": "array", "items": { "type": "object" } } } })),
            READ_ERRORS,
        )
    }
    /// `GET /parse_runs/{id}`.
    pub fn parse_get() -> Value {
        let mut params = path_id("Parse run id (pr_…)");
        if let Some(a) = params.as_array_mut() {
            a.push(response_type());
        }
        operation(
            "getParseRun",
            "Parse",
            "Get a parse run; responseType=url gives a 15-minute outputUrl instead of output.",
            params,
            None,
            ok("The parse run", r("ParseRun")),
            READ_ERRORS,
        )
    }
    /// `DELETE /parse_runs/{id}`.
    pub fn parse_delete() -> Value {
        operation(
            "deleteParseRun",
            "Parse",
            "Delete a parse run and its output.",
            path_id("Parse run id (pr_…)"),
            None,
            ok("Deleted", r("DeleteResponse")),
            READ_ERRORS,
        )
    }
    /// `POST /parse_runs/{id}/cancel`.
    pub fn parse_cancel() -> Value {
        operation(
            "cancelParseRun",
            "Parse",
            "Cancel a PENDING or PROCESSING parse run (400 once it has ended).",
            path_id("Parse run id (pr_…)"),
            None,
            ok("The cancelled run", r("ParseRun")),
            READ_ERRORS,
        )
    }
    /// `GET /batch_runs/{id}`.
    pub fn batch_get() -> Value {
        operation(
            "getBatchRun",
            "Parse",
            "Get a batch: PENDING, PROCESSING, then PROCESSED when every run has ended.",
            path_id("Batch id (bpar_…)"),
            None,
            ok("The batch", r("BatchRun")),
            READ_ERRORS,
        )
    }
    fn response_type() -> Value {
        json!({ "name": "responseType", "in": "query", "schema": { "type": "string", "enum": ["json", "url"], "default": "json" } })
    }
    /// `POST /files/upload`.
    pub fn file_upload() -> Value {
        let body = json!({ "required": true, "content": { "multipart/form-data": { "schema": {
            "type": "object", "required": ["file"],
            "properties": {
                "file": { "type": "string", "contentMediaType": "application/octet-stream" },
                "password": { "type": "string", "description": "Opens an encrypted PDF in later runs." } } } } } });
        let mut params = vec![
            json!({ "name": "convertToPdf", "in": "query", "schema": { "type": "boolean" }, "description": "Store images, office documents and HTML as a PDF (converted by LibreOffice without network or file access; the name ends in .pdf). Other types: 422 FILE_TYPE_NOT_SUPPORTED; a failed conversion: 422 FAILED_TO_CONVERT_TO_PDF." }),
        ];
        params.push(json!({ "$ref": "#/components/parameters/WorkspaceId" }));
        operation(
            "uploadFile",
            "Files",
            "Upload a file (multipart). Over the size limit: 413 FILE_SIZE_TOO_LARGE.",
            Value::Array(params),
            Some(body),
            ok("The stored file (presignedUrl null)", r("File")),
            &[400, 401, 413, 422, 429, 500],
        )
    }
    /// `GET /files`.
    pub fn file_list() -> Value {
        let mut params =
            vec![json!({ "name": "nameContains", "in": "query", "schema": { "type": "string" } })];
        params.extend(paging());
        operation(
            "listFiles",
            "Files",
            "List files, newest first by default.",
            Value::Array(params),
            None,
            ok("A page of files", r("FileList")),
            READ_ERRORS,
        )
    }
    /// `GET /files/{id}`.
    pub fn file_get() -> Value {
        operation(
            "getFile",
            "Files",
            "Get a file with a presigned download URL (valid 15 minutes). The deprecated flags rawText, markdown and html fill `contents` from the file's latest parse run (null for a file never parsed).",
            {
                let mut params = path_id("File id (file_…)");
                if let Some(list) = params.as_array_mut() {
                    for flag in ["rawText", "markdown", "html"] {
                        list.push(json!({ "name": flag, "in": "query", "required": false, "deprecated": true, "schema": { "type": "boolean" } }));
                    }
                }
                params
            },
            None,
            ok("The file", r("File")),
            READ_ERRORS,
        )
    }
    /// `DELETE /files/{id}`.
    pub fn file_delete() -> Value {
        operation(
            "deleteFile",
            "Files",
            "Delete a file.",
            path_id("File id (file_…)"),
            None,
            ok("Deleted", r("DeleteResponse")),
            READ_ERRORS,
        )
    }
    /// `GET /download/{token}`.
    pub fn download() -> Value {
        let mut o = operation(
            "download",
            "Files",
            "A presigned download link (HMAC-signed, 15 minutes; no API key).",
            json!([{ "name": "token", "in": "path", "required": true, "schema": { "type": "string" } }]),
            None,
            json!({ "description": "The file's bytes", "content": { "application/octet-stream": { "schema": { "type": "string", "contentMediaType": "application/octet-stream" } } } }),
            &[404, 500],
        );
        o["security"] = json!([]);
        o
    }
    /// `GET /healthz`.
    pub fn healthz() -> Value {
        let mut o = operation(
            "health",
            "System",
            "Liveness and database check.",
            json!([]),
            None,
            ok(
                "Healthy",
                json!({ "type": "object", "properties": { "status": { "const": "ok" }, "queueDepth": { "type": "integer" }, "workers": { "type": "integer" }, "version": { "type": "string" } } }),
            ),
            &[500],
        );
        o["security"] = json!([]);
        o
    }
    /// `GET /metrics`.
    pub fn metrics() -> Value {
        let mut o = operation(
            "metrics",
            "System",
            "Prometheus metrics (text exposition format 0.0.4).",
            json!([]),
            None,
            json!({ "description": "Metrics", "content": { "text/plain": { "schema": { "type": "string" } } } }),
            &[500],
        );
        o["security"] = json!([]);
        o
    }
    /// `GET /openapi.json`.
    pub fn openapi() -> Value {
        let mut o = operation(
            "openapi",
            "System",
            "This document.",
            json!([]),
            None,
            ok("OpenAPI 3.1 document", json!({ "type": "object" })),
            &[],
        );
        o["security"] = json!([]);
        o
    }

    fn paging() -> Vec<Value> {
        vec![
            json!({ "name": "sortDir", "in": "query", "schema": { "type": "string", "enum": ["asc", "desc"], "default": "desc" } }),
            json!({ "name": "nextPageToken", "in": "query", "schema": { "type": "string" } }),
            json!({ "name": "maxPageSize", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 20 }, "description": "At most 100 items are returned per page." }),
            json!({ "$ref": "#/components/parameters/WorkspaceId" }),
        ]
    }
}

fn nullable(schema: Value) -> Value {
    json!({ "oneOf": [schema, { "type": "null" }] })
}

fn components() -> Value {
    let status = |values: &[&str]| json!({ "type": "string", "enum": values });
    let failure_reason = json!({ "type": ["string", "null"], "description": "Set iff FAILED: UNABLE_TO_DOWNLOAD_FILE, FILE_TYPE_NOT_SUPPORTED, FILE_SIZE_TOO_LARGE, CORRUPT_FILE, FIELD_DETECTION_ERROR, PASSWORD_PROTECTED_FILE, FAILED_TO_CONVERT_TO_PDF, INTERNAL_ERROR, INVALID_OPTIONS, EMPTY_SCHEMA, SCHEMA_VALIDATION_ERROR, TIMEOUT (the run passed its deadline: --edit-run-timeout-secs, --detect-run-timeout-secs) (open enum)." });
    let time = json!({ "type": "string", "format": "date-time" });
    let mut responses = Map::new();
    for (code, text) in [
        (400, "Invalid request (INVALID_REQUEST, INVALID_OPTIONS)"),
        (401, "Missing or invalid API key (UNAUTHORIZED)"),
        (
            404,
            "Not found, or not in the caller's workspace (NOT_FOUND)",
        ),
        (
            408,
            "The request body did not arrive in time (REQUEST_TIMEOUT, retryable); the connection is closed",
        ),
        (
            413,
            "Too large (FILE_SIZE_TOO_LARGE; PAYLOAD_TOO_LARGE: a JSON body over its size, value count or depth limit)",
        ),
        (422, "The run failed (its failure reason is the code)"),
        (
            429,
            "Rate limit, full queue, or too many failed authentications from the client's address (RATE_LIMIT_EXCEEDED); see Retry-After",
        ),
        (500, "Internal error (INTERNAL_ERROR, retryable)"),
        (
            504,
            "A synchronous run did not finish in time (TIMEOUT, with runId), or its run passed its deadline (TIMEOUT)",
        ),
    ] {
        responses.insert(
            format!("Error{code}"),
            json!({
            "description": text,
            "headers": { "x-extend-request-id": { "schema": { "type": "string" } } },
            "content": { "application/json": { "schema": r("ApiError") } } }),
        );
    }
    json!({
        "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "API key (sk_…)." } },
        "parameters": {
            "WorkspaceId": { "name": "x-extend-workspace-id", "in": "header", "required": false,
                "description": "Target workspace; required with organization keys.", "schema": { "type": "string" } },
            "ApiVersion": { "name": "x-extend-api-version", "in": "header", "required": false,
                "description": "2026-02-09 (the default); any other value is refused.", "schema": { "type": "string", "const": "2026-02-09" } }
        },
        "responses": responses,
        "schemas": {
            "ApiError": { "type": "object", "required": ["code", "message", "retryable"], "properties": {
                "code": { "type": "string" }, "message": { "type": "string" }, "retryable": { "type": "boolean" },
                "requestId": { "type": "string" }, "runId": { "type": "string" } } },
            "FileInput": { "oneOf": [
                { "type": "object", "title": "FileFromUrl", "required": ["url"], "properties": {
                    "url": { "type": "string", "format": "uri" }, "name": { "type": "string" },
                    "settings": { "type": "object", "properties": { "password": { "type": "string" } } } } },
                { "type": "object", "title": "FileFromId", "required": ["id"], "properties": { "id": { "type": "string" } } } ] },
            "FileMetadata": { "type": "object", "properties": { "pageCount": { "type": "integer" } } },
            "FileSummary": { "type": "object", "required": ["object", "id", "name", "metadata", "createdAt", "updatedAt"], "properties": {
                "object": { "const": "file" }, "id": { "type": "string" }, "name": { "type": "string" },
                "type": { "type": ["string", "null"], "enum": ["PDF", "CSV", "IMG", "TXT", "DOCX", "EXCEL", "XML", "HTML", null] },
                "parentFileId": { "type": ["string", "null"] }, "metadata": r("FileMetadata"),
                "createdAt": time, "updatedAt": time } },
            "File": { "allOf": [ r("FileSummary"), { "type": "object", "properties": {
                "presignedUrl": { "type": ["string", "null"] }, "contents": { "type": ["object", "null"], "description": "Deprecated: rawText and pages (pageNumber, pageWidth, pageHeight, markdown, html) of the latest parse, when GET /files/{id} asks with rawText/markdown/html." } } } ] },
            "FileList": { "type": "object", "required": ["object", "data"], "properties": {
                "object": { "const": "list" }, "data": { "type": "array", "items": r("FileSummary") }, "nextPageToken": { "type": "string" } } },
            "DeleteResponse": { "type": "object", "required": ["id"], "properties": { "id": { "type": "string" } } },
            "EditRootJson": { "type": "object", "description": "Edit schema: JSON Schema subset with extend_edit:* keywords (spec §5).",
                "required": ["type", "properties"], "properties": { "type": { "const": "object" }, "properties": { "type": "object" } } },
            "EditConfig": { "type": "object", "properties": {
                "engineVersion": { "type": "string", "description": "latest (= 1.0.0, the default), 1.0.0, 1.0.0-beta, 0.0.1" },
                "schema": r("EditRootJson"), "instructions": { "type": "string" }, "schemaGenerationInstructions": { "type": "string" },
                "advancedOptions": { "type": "object", "properties": {
                    "flattenPdf": { "type": "boolean", "description": "Default true (false on 1.0.0-beta)." },
                    "radioEnumsEnabled": { "type": "boolean", "description": "Default true (false on 0.0.1)." },
                    "tableParsingEnabled": { "type": "boolean", "default": false },
                    "nativeFieldsOnly": { "type": "boolean", "default": false },
                    "conditionalGenerationEnabled": { "type": "boolean", "default": false } } } } },
            "EditRequest": { "type": "object", "description": "Exactly one of file and templateId.", "properties": {
                "file": r("FileInput"), "templateId": { "type": "string" }, "config": r("EditConfig") } },
            "EditRunMetrics": { "type": "object", "properties": {
                "processingTimeMs": { "type": "number" }, "pageCount": { "type": "integer" }, "fieldCount": { "type": "integer" },
                "fieldsDetectedCount": { "type": "integer" }, "fieldsAnnotatedCount": { "type": "integer" },
                "fieldDetectionTimeMs": { "type": "number" }, "fieldAnnotationTimeMs": { "type": "number" }, "fieldFillingTimeMs": { "type": "number" } } },
            "RunUsage": { "type": "object", "description": "One credit per page.", "required": ["credits"], "properties": {
                "credits": { "type": "number" }, "totalCredits": { "type": "number" },
                "breakdown": { "type": "array", "items": { "type": "object", "properties": {
                    "object": { "type": "string" }, "id": { "type": "string" }, "credits": { "type": "number" } } } } } },
            "EditRun": { "type": "object", "required": ["object", "id", "file", "status", "config"], "properties": {
                "object": { "const": "edit_run" }, "id": { "type": "string" }, "file": r("FileSummary"),
                "status": status(&["PROCESSING", "PROCESSED", "FAILED"]),
                "failureReason": failure_reason.clone(), "failureMessage": { "type": ["string", "null"] },
                "config": r("EditConfig"),
                "output": nullable(json!({ "type": "object", "required": ["editedFile"], "properties": {
                    "editedFile": { "type": "object", "required": ["id", "presignedUrl"], "properties": {
                        "id": { "type": "string" }, "presignedUrl": { "type": "string" } } },
                    "filledValues": { "type": "object" },
                    "valueSources": { "type": "object", "additionalProperties": { "type": "string" },
                        "description": "Formsmith extension: property key -> where its filled value came from (extend_edit:value, the instructions' words, a record path, or a language model)." },
                    "warnings": { "type": "array", "items": { "type": "string" },
                        "description": "Formsmith extension: what the instructions said that was not placed, and other non-fatal notes." } } })),
                "metrics": nullable(r("EditRunMetrics")), "usage": nullable(r("RunUsage")),
                "createdAt": time, "updatedAt": time } },
            "EditRunList": { "type": "object", "required": ["object", "data"], "properties": {
                "object": { "const": "list" }, "nextPageToken": { "type": "string" },
                "data": { "type": "array", "items": { "type": "object", "required": ["object", "id", "file", "status", "createdAt", "updatedAt"], "properties": {
                    "object": { "const": "edit_run" }, "id": { "type": "string" }, "file": r("FileSummary"),
                    "status": status(&["PROCESSING", "PROCESSED", "FAILED"]), "failureReason": failure_reason.clone(),
                    "failureMessage": { "type": ["string", "null"] }, "metrics": nullable(r("EditRunMetrics")),
                    "usage": nullable(json!({ "type": "object", "properties": { "credits": { "type": "number" }, "totalCredits": { "type": "number" } } })),
                    "createdAt": time, "updatedAt": time } } } } },
            "EditTemplateSummary": { "type": "object", "required": ["object", "id", "name", "file", "createdAt", "updatedAt"], "properties": {
                "object": { "const": "edit_template" }, "id": { "type": "string" }, "name": { "type": "string" },
                "description": { "type": ["string", "null"] }, "file": r("FileSummary"), "createdAt": time, "updatedAt": time } },
            "EditTemplateList": { "type": "object", "required": ["object", "data"], "properties": {
                "object": { "const": "list" }, "data": { "type": "array", "items": r("EditTemplateSummary") }, "nextPageToken": { "type": "string" } } },
            "EditTemplate": { "type": "object", "required": ["object", "id", "name", "file", "config", "createdAt", "updatedAt"], "properties": {
                "object": { "const": "edit_template" }, "id": { "type": "string" }, "name": { "type": "string" },
                "description": { "type": ["string", "null"] }, "file": r("FileSummary"), "config": r("EditConfig"),
                "schemaConfig": nullable(r("EditSchemaGenerationConfig")), "createdAt": time, "updatedAt": time } },
            "EditSchemaGenerationConfig": { "type": "object", "properties": {
                "engineVersion": { "type": "string" }, "inputSchema": r("EditRootJson"), "instructions": { "type": "string" },
                "advancedOptions": { "type": "object", "properties": {
                    "radioEnumsEnabled": { "type": "boolean" }, "tableParsingEnabled": { "type": "boolean" },
                    "nativeFieldsOnly": { "type": "boolean" }, "conditionalGenerationEnabled": { "type": "boolean" } } } } },
            "DetectFormRequest": { "type": "object", "required": ["file"], "properties": {
                "file": r("FileInput"), "config": r("EditSchemaGenerationConfig") } },
            "EditSchemaGenerationResponse": { "type": "object", "required": ["schema"], "properties": {
                "schema": r("EditRootJson"), "annotatedSchema": nullable(r("EditRootJson")),
                "mappingResult": nullable(json!({ "type": "object", "properties": {
                    "matches": { "type": "array", "items": { "type": "object", "properties": {
                        "inputPath": { "type": "string" }, "formFieldKey": { "type": "string" } } } },
                    "unmatchedInputPaths": { "type": "array", "items": { "type": "string" } },
                    "unusedFormFieldKeys": { "type": "array", "items": { "type": "string" } } } })) } },
            "ParseConfig": { "type": "object", "description": "Spec §6.4; the run echoes the effective config.", "properties": {
                "target": { "type": "string", "enum": ["markdown", "spatial"], "default": "markdown" },
                "chunkingStrategy": { "type": "object", "properties": {
                    "type": { "type": "string", "enum": ["page", "document", "section"], "default": "page" },
                    "options": { "type": "object", "properties": { "minCharacters": { "type": "integer" }, "maxCharacters": { "type": "integer" } } } } },
                "engine": { "type": "string" }, "engineVersion": { "type": "string" },
                "blockOptions": { "type": "object" }, "advancedOptions": { "type": "object" } } },
            "ParseRequest": { "type": "object", "required": ["file"], "properties": {
                "file": r("FileInput"), "config": r("ParseConfig"), "metadata": { "type": "object" },
                "dataRetention": { "type": "object", "properties": { "mode": { "type": "string", "enum": ["workspace_default"] } } } } },
            "ParseBatchRequest": { "type": "object", "required": ["inputs"], "properties": {
                "inputs": { "type": "array", "minItems": 1, "maxItems": 1000, "items": { "type": "object", "required": ["file"], "properties": {
                    "file": { "description": "FileFromUrl, FileFromId or FileFromText {text, name?}" }, "metadata": { "type": "object" } } } },
                "config": r("ParseConfig"), "priority": { "type": "integer", "minimum": 1, "maximum": 100, "default": 50 } } },
            "BatchRun": { "type": "object", "required": ["object", "id", "status", "runCount", "createdAt"], "properties": {
                "object": { "const": "batch_run" }, "id": { "type": "string" },
                "status": status(&["PENDING", "PROCESSING", "PROCESSED", "FAILED", "CANCELLED"]),
                "runCount": { "type": "integer" }, "createdAt": time, "updatedAt": time } },
            "ParseRun": { "type": "object", "required": ["object", "id", "status", "config"], "properties": {
                "object": { "const": "parse_run" }, "id": { "type": "string" }, "batchId": { "type": ["string", "null"] },
                "file": nullable(r("FileSummary")),
                "status": status(&["PENDING", "PROCESSING", "PROCESSED", "FAILED", "CANCELLED"]),
                "failureReason": { "type": ["string", "null"], "description": "Set iff FAILED: UNABLE_TO_DOWNLOAD_FILE, FILE_TYPE_NOT_SUPPORTED, FILE_SIZE_TOO_LARGE, CORRUPT_FILE, OCR_ERROR, PASSWORD_PROTECTED_FILE, FAILED_TO_CONVERT_TO_PDF, FAILED_TO_GENERATE_TARGET_FORMAT, CHUNKING_ERROR, INTERNAL_ERROR, INVALID_CONFIG_OPTIONS." },
                "failureMessage": { "type": ["string", "null"] }, "metadata": { "type": ["object", "null"] },
                "output": nullable(json!({ "type": "object", "required": ["chunks"], "properties": {
                    "chunks": { "type": "array", "items": { "type": "object" } }, "ocr": { "type": "object" } } })),
                "outputUrl": { "type": ["string", "null"] },
                "metrics": nullable(json!({ "type": "object", "properties": { "processingTimeMs": { "type": "number" }, "pageCount": { "type": "integer" } } })),
                "config": r("ParseConfig"), "usage": nullable(r("RunUsage")),
                "createdAt": time, "updatedAt": time } },
            "FormDetectionRun": { "type": "object", "required": ["object", "id", "file", "status", "config"], "properties": {
                "object": { "const": "form_detection_run" }, "id": { "type": "string" }, "file": r("FileSummary"),
                "status": status(&["PROCESSING", "PROCESSED", "FAILED"]), "failureReason": failure_reason,
                "failureMessage": { "type": ["string", "null"] }, "config": r("EditSchemaGenerationConfig"),
                "output": nullable(r("EditSchemaGenerationResponse")),
                "metrics": nullable(json!({ "type": "object" })), "usage": nullable(r("RunUsage")),
                "createdAt": time, "updatedAt": time } }
        }
    })
}

/// The document for these routes.
pub fn document(routes: &[RouteDef]) -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for def in routes {
        let entry = paths
            .entry(def.path.to_string())
            .or_insert_with(|| json!({}));
        let mut operation = def.operation.clone();
        if def.api
            && let Some(params) = operation["parameters"].as_array_mut()
        {
            params.push(json!({ "$ref": "#/components/parameters/ApiVersion" }));
        }
        entry[def.method.to_ascii_lowercase()] = operation;
    }
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Formsmith",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Self-hosted PDF form filling speaking Extend's Edit API (2026-02-09): files, edit runs, form detection, webhooks. Every response carries x-extend-request-id; errors are {code, message, retryable, requestId}.",
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" }
        },
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": components(),
    });
    crate::webhooks::openapi::extend(&mut doc);
    doc
}
