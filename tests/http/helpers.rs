//! Spawns the real server on 127.0.0.1:0 with the sample city and talks to it over HTTP.
//! Every JSON body received is validated against the server's own OpenAPI document
//! (`tekichi::server::openapi`) in strict mode: objects may carry no member the
//! document does not declare, so an undocumented field fails the test.

use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use tekichi::server::state::AppState;
use tekichi::server::{Application, Settings};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn data_dir() -> PathBuf {
    root().join("data/sample-city")
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

/// A response, with its body read.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or_default()
    }

    /// Asserts an RFC 9457 problem with this status and code, and returns it.
    #[track_caller]
    pub fn problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status,
            status,
            "expected {status} {code}, got {}: {}",
            self.status,
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.content_type(), "application/problem+json");
        let p = self.json();
        assert_eq!(p["status"], status);
        assert_eq!(p["code"], code, "{p}");
        assert_eq!(p["type"], format!("/api/docs#problem-{code}"));
        for key in ["title", "detail", "instance", "request_id"] {
            assert!(p[key].as_str().is_some_and(|s| !s.is_empty()), "{key} missing in {p}");
        }
        assert_eq!(p["request_id"].as_str(), self.header("x-request-id"));
        p
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// Spawns with the sample city and `data/rubrics`, after `edit` adjusts the settings.
    pub async fn spawn_with(edit: impl FnOnce(&mut Settings)) -> TestApp {
        let mut settings = Settings {
            bind: "127.0.0.1:0".parse().unwrap(),
            data: data_dir(),
            rubric_dir: Some(root().join("data/rubrics")),
            ..Settings::default()
        };
        edit(&mut settings);
        let app = Application::build(settings).await.expect("the application builds");
        let port = app.port();
        let state = app.state();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            port,
            client: reqwest::Client::new(),
            state,
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// Starts a graceful shutdown without waiting.
    pub fn begin_stop(&mut self) -> JoinHandle<std::io::Result<()>> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.server.take().expect("server running")
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    /// GET `path`; `template` is its OpenAPI path (e.g. `/collections/{collectionId}`).
    pub async fn get(&self, template: &str, path: &str) -> Reply {
        self.send(Method::GET, template, self.request(Method::GET, path)).await
    }

    /// POST `body` as `content_type` to `path`.
    pub async fn post(&self, template: &str, path: &str, content_type: &str, body: impl Into<reqwest::Body>) -> Reply {
        let req = self
            .request(Method::POST, path)
            .header(CONTENT_TYPE, content_type)
            .body(body);
        self.send(Method::POST, template, req).await
    }

    /// Sends and validates the answer against the OpenAPI document.
    pub async fn send(&self, method: Method, template: &str, req: RequestBuilder) -> Reply {
        let response = req.send().await.expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("body read").to_vec();
        let reply = Reply { status, headers, body };
        validate(method.as_str(), template, &reply);
        reply
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The OpenAPI document, with every declared object closed (`additionalProperties: false`).
pub static DOC: LazyLock<Value> = LazyLock::new(|| {
    let doc: Value = serde_json::from_str(tekichi::server::openapi::document()).expect("document is JSON");
    let mut strict = doc.clone();
    close_objects(&mut strict);
    strict
});

fn close_objects(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if o.contains_key("properties") && !o.contains_key("additionalProperties") {
                o.insert("additionalProperties".into(), Value::Bool(false));
            }
            for child in o.values_mut() {
                close_objects(child);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(close_objects),
        _ => {}
    }
}

type Validators = Mutex<HashMap<String, Arc<jsonschema::Validator>>>;
static VALIDATORS: LazyLock<Validators> = LazyLock::new(Default::default);

/// A validator of `schema`, resolving `#/components/…` against the document.
pub fn validator(schema: &Value) -> Arc<jsonschema::Validator> {
    let key = schema.to_string();
    let mut cache = VALIDATORS.lock().unwrap();
    cache
        .entry(key)
        .or_insert_with(|| {
            let mut root = Map::new();
            root.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
            root.insert("components".into(), DOC["components"].clone());
            root.insert("allOf".into(), json!([schema]));
            Arc::new(jsonschema::draft202012::new(&Value::Object(root)).expect("schema compiles"))
        })
        .clone()
}

#[track_caller]
pub fn assert_valid(schema: &Value, instance: &Value, what: &str) {
    let v = validator(schema);
    let errors: Vec<String> = v
        .iter_errors(instance)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its OpenAPI schema:\n  {}\ninstance: {}",
        errors.join("\n  "),
        &instance.to_string()[..instance.to_string().len().min(600)]
    );
}

fn media_essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Validates a reply's JSON body (each line of NDJSON) against the document's schema for
/// this operation, status and media type. A 2xx must be documented exactly; a problem
/// must match `Problem` (and the operation's entry when it documents that status).
pub fn validate(method: &str, template: &str, reply: &Reply) {
    let essence = media_essence(reply.content_type());
    let json_like = matches!(
        essence.as_str(),
        "application/json" | "application/geo+json" | "application/problem+json" | "application/x-ndjson"
    ) || essence.starts_with("application/vnd.oai.openapi+json");
    let operation = DOC["paths"]
        .get(template)
        .and_then(|p| p.get(method.to_ascii_lowercase()));
    let documented = operation.and_then(|op| op["responses"].get(reply.status.to_string()));
    let what = format!("{method} {template} → {} {essence}", reply.status);
    if reply.status < 400 {
        let documented = documented.unwrap_or_else(|| panic!("{what}: response not documented"));
        let content = documented["content"]
            .as_object()
            .unwrap_or_else(|| panic!("{what}: no content documented"));
        let entry = content
            .iter()
            .find(|(k, _)| media_essence(k) == essence)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("{what}: media type not documented (have {:?})", content.keys()));
        if !json_like {
            return;
        }
        let schema = &entry["schema"];
        if essence == "application/x-ndjson" {
            for (i, line) in String::from_utf8_lossy(&reply.body).lines().enumerate() {
                let value: Value = serde_json::from_str(line).expect("NDJSON line is JSON");
                assert_valid(schema, &value, &format!("{what} line {}", i + 1));
            }
        } else {
            assert_valid(schema, &reply.json(), &what);
        }
    } else {
        assert_eq!(essence, "application/problem+json", "{what}: errors are problem+json");
        let body = reply.json();
        assert_valid(&json!({"$ref": "#/components/schemas/Problem"}), &body, &what);
        if let Some(entry) = documented.and_then(|d| d["content"].get("application/problem+json")) {
            assert_valid(&entry["schema"], &body, &what);
        }
    }
}
