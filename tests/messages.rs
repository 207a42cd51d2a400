//! Every bilingual message in the source reads Japanese first: `日本語 / English`, with a
//! location (a path, `feature N (line L)`) allowed in front. The check reads the string
//! literals of `src/` the way a reviewer would, so a new English-first message fails here.

use std::path::{Path, PathBuf};

fn is_japanese(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}' | '\u{ff01}'..='\u{ff5e}')
}

/// The contents of the ordinary string literals of one Rust source text.
fn string_literals(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = source.chars().peekable();
    let mut previous = ' ';
    while let Some(c) = chars.next() {
        match c {
            // Line comments and doc comments are not messages.
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            // A char literal such as '"' must not open a string.
            '\'' if chars.peek() == Some(&'"') => {
                chars.next();
            }
            '"' if !previous.is_alphanumeric() && previous != '#' => {
                let mut text = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            text.push(c);
                            if let Some(escaped) = chars.next() {
                                text.push(escaped);
                            }
                        }
                        '"' => break,
                        _ => text.push(c),
                    }
                }
                out.push(text);
            }
            _ => {}
        }
        previous = c;
    }
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
    let literals = string_literals("let a = '\"'; // \"not / 文字\"\nlet b = \"cannot read / 読めません\";");
    assert_eq!(literals, ["cannot read / 読めません"]);
}
