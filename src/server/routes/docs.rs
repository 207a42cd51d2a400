//! `/api/docs`: a plain HTML page rendered from the OpenAPI document (no scripts, no
//! external assets: the machine may have no internet), plus the problem types, each with
//! the anchor its `type` URI points to.

use crate::server::error::PROBLEM_CODES;
use crate::server::openapi::document;
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;
use std::fmt::Write;
use std::sync::LazyLock;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn text(v: &Value, key: &str) -> String {
    escape(v.get(key).and_then(Value::as_str).unwrap_or_default())
}

fn render() -> String {
    let doc: Value = serde_json::from_str(document()).unwrap_or_default();
    let mut h = String::new();
    let title = doc
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or("tekichi API");
    let _ = write!(
        h,
        "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>{}</title>\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<style>body{{font-family:system-ui,'Hiragino Sans','Noto Sans JP',sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}\
code,pre{{background:#f4f4f4;padding:0 .2em}}h3{{margin-bottom:.2em}}.m{{display:inline-block;min-width:4em;font-weight:bold}}\
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}}</style></head><body>",
        escape(title)
    );
    let _ = write!(
        h,
        "<h1>{}</h1><p>{}</p><p>OpenAPI 3.1: <a href=\"/api/openapi.json\">/api/openapi.json</a> · version {}</p>",
        escape(title),
        doc.pointer("/info/description")
            .and_then(Value::as_str)
            .map(escape)
            .unwrap_or_default()
            .replace("\n\n", "</p><p>")
            .replace('\n', "<br>"),
        doc.pointer("/info/version").and_then(Value::as_str).unwrap_or_default()
    );
    h.push_str("<h2>エンドポイント / Endpoints</h2>");
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let Some(ops) = item.as_object() else { continue };
            for (method, op) in ops {
                let _ = write!(
                    h,
                    "<h3 id=\"{}\"><span class=\"m\">{}</span> <code>{}</code></h3><p><b>{}</b></p>",
                    escape(&format!("{method}-{path}")),
                    escape(&method.to_uppercase()),
                    escape(path),
                    text(op, "summary")
                );
                let description = text(op, "description");
                if !description.is_empty() {
                    let _ = write!(h, "<p>{}</p>", description.replace("\n\n", "</p><p>"));
                }
                if let Some(params) = op.get("parameters").and_then(Value::as_array) {
                    h.push_str("<table><tr><th>parameter</th><th>in</th><th>description</th></tr>");
                    for p in params {
                        let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
                        let _ = write!(
                            h,
                            "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td></tr>",
                            text(p, "name"),
                            if required { " (必須 required)" } else { "" },
                            text(p, "in"),
                            text(p, "description")
                        );
                    }
                    h.push_str("</table>");
                }
                if let Some(body) = op.pointer("/requestBody/content").and_then(Value::as_object) {
                    let types: Vec<String> = body.keys().map(|k| format!("<code>{}</code>", escape(k))).collect();
                    let _ = write!(h, "<p>本文 body: {}</p>", types.join(", "));
                }
                if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                    h.push_str("<ul>");
                    for (status, r) in responses {
                        let types: Vec<String> = r
                            .get("content")
                            .and_then(Value::as_object)
                            .map(|c| c.keys().map(|k| format!("<code>{}</code>", escape(k))).collect())
                            .unwrap_or_default();
                        let _ = write!(
                            h,
                            "<li><b>{}</b> {} {}</li>",
                            escape(status),
                            text(r, "description"),
                            types.join(", ")
                        );
                    }
                    h.push_str("</ul>");
                }
            }
        }
    }
    h.push_str("<h2>エラーの種類 / Problem types</h2><p>Every 4xx/5xx body is <code>application/problem+json</code> (RFC 9457) whose <code>type</code> links here.</p><table><tr><th>code</th><th>status</th><th>title</th></tr>");
    for (code, status, title) in PROBLEM_CODES {
        let _ = write!(
            h,
            "<tr id=\"problem-{code}\"><td><code>{code}</code></td><td>{status}</td><td>{}</td></tr>",
            escape(title)
        );
    }
    h.push_str("</table></body></html>");
    h
}

static PAGE: LazyLock<String> = LazyLock::new(render);

/// API の説明 This API, as an HTML page.
#[utoipa::path(
    get,
    path = "/api/docs",
    tag = "service",
    responses((status = 200, description = "HTML documentation rendered from the OpenAPI document", content_type = "text/html", body = String))
)]
pub async fn docs_page() -> Response {
    Html(PAGE.as_str()).into_response()
}
