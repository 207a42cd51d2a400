//! Every bilingual message in the source reads Japanese first: `日本語 / English`, with a
//! location (a path, `feature N (line L)`) allowed in front. The check reads the string
//! literals of `src/` the way a reviewer would, so a new English-first message fails here.

use proc_macro2::{TokenStream, TokenTree};
use std::path::{Path, PathBuf};

fn is_japanese(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{ff01}'..='\u{ff5e}')
}

/// The contents of the string literals of one Rust source text, raw strings included,
/// as Rust's own tokenizer reads them; comments and doc comments are not messages.
fn string_literals(source: &str) -> Vec<String> {
    fn walk(tokens: TokenStream, out: &mut Vec<String>) {
        for token in tokens {
            match token {
                TokenTree::Group(group) => {
                    let is_doc = matches!(group.stream().into_iter().next(), Some(TokenTree::Ident(i)) if i == "doc");
                    if !is_doc {
                        walk(group.stream(), out);
                    }
                }
                TokenTree::Literal(literal) => {
                    let text = literal.to_string();
                    let raw = text.strip_prefix('r').map(|t| t.trim_matches('#'));
                    if let Some(inner) = raw.unwrap_or(&text).strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
                        out.push(inner.to_string());
                    }
                }
                TokenTree::Ident(_) | TokenTree::Punct(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(source.parse().expect("a Rust source file tokenizes"), &mut out);
    out
}

/// Whether a literal puts an English part before ` / ` and the Japanese after it.
fn english_first(text: &str) -> bool {
    let Some(first_japanese) = text.find(is_japanese) else {
        return false;
    };
    let Some(split) = text[..first_japanese].rfind(" / ") else {
        return false;
    };
    let mut head = String::new();
    let mut in_placeholder = false;
    for c in text[..split].chars() {
        match c {
            '{' => in_placeholder = true,
            '}' => in_placeholder = false,
            _ if !in_placeholder => head.push(c),
            _ => {}
        }
    }
    head.split(|c: char| !c.is_ascii_alphabetic())
        .any(|word| word.len() >= 3)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_bilingual_message_reads_japanese_first() {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    assert!(files.len() > 20, "the source tree was not found");
    let mut offenders = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for text in string_literals(&source) {
            if english_first(&text) {
                offenders.push(format!("{}: {text}", file.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "English before Japanese: {offenders:#?}");
}

#[test]
fn the_check_tells_the_two_orders_apart() {
    assert!(english_first(
        "coordinate {index} is not a finite number / 座標 {index} が数値ではありません"
    ));
    assert!(english_first("{}: cannot read: {e} / ファイルを読めません"));
    assert!(!english_first(
        "座標 {index} が数値ではありません / coordinate {index} is not a finite number"
    ));
    assert!(!english_first("{0}: ファイルを読めません / cannot read: {e}"));
    assert!(!english_first("{lon} / {lat} 経度・緯度"));
    assert!(!english_first("no Japanese at all / none"));
    let literals = string_literals(
        "/// doc \"not / 文字\"\nfn f() { let a = '\"'; // \"not / 文字\"\n let b = \"cannot read / 読めません\"; let c = r#\"x \"y\" / 字\"#; }",
    );
    assert_eq!(literals, ["cannot read / 読めません", "x \"y\" / 字"]);
}
