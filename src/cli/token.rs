//! `tekichi token new|hash`: write tokens for the HTTP layer endpoints. The server keeps
//! only the SHA-256 of a token (`[[tokens]] sha256` in its config file); the token itself
//! is shown once, to be handed to the person who uploads.

use super::BadInput;
use clap::{Args, Subcommand, ValueEnum};
use std::io::Read;
use std::process::ExitCode;
use tekichi::server::admin::hash_token;

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    action: TokenAction,
}

#[derive(Debug, Subcommand)]
enum TokenAction {
    /// 新しいトークンを作り、設定ファイル用の [[tokens]] を表示 / Make a random token; print it and the [[tokens]] entry for the config file.
    New(NewArgs),
    /// 標準入力のトークンの SHA-256 を表示 / Print the SHA-256 of the token read from standard input (for [[tokens]] sha256).
    Hash,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RoleArg {
    /// 取込み・保存のみ / Upload and store versions.
    Uploader,
    /// 有効化・ロールバックも / Also activate and roll back.
    Admin,
}

#[derive(Debug, Args)]
struct NewArgs {
    /// 名前（監査ログに記録） / The holder's name, recorded in the audit log.
    #[arg(long)]
    name: String,
    /// 権限 / What the token may do.
    #[arg(long, value_enum, default_value_t = RoleArg::Uploader)]
    role: RoleArg,
}

/// 32 bytes from the kernel's random source, as 64 hex digits.
fn random_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| anyhow::anyhow!("cannot read /dev/urandom: {e}"))?;
    Ok(hex::encode(bytes))
}

pub fn run(args: TokenArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        TokenAction::New(a) => {
            let name = a.name.trim();
            if name.is_empty() || name.contains(['"', '\n']) {
                return Err(BadInput(
                    "名前を指定してください（引用符は使えません） / --name must be a non-empty name without quotes"
                        .into(),
                )
                .into());
            }
            let token = random_token()?;
            let role = match a.role {
                RoleArg::Uploader => "uploader",
                RoleArg::Admin => "admin",
            };
            eprintln!("トークン（この一度だけ表示します。本人に渡してください） / The token (shown only now; hand it to its holder):");
            println!("{token}");
            eprintln!();
            eprintln!("サーバの設定ファイルに追加 / Add to the server's config file:");
            eprintln!(
                "[[tokens]]\nname = \"{name}\"\nsha256 = \"{}\"\nrole = \"{role}\"",
                hash_token(&token)
            );
        }
        TokenAction::Hash => {
            let mut token = String::new();
            std::io::stdin().read_to_string(&mut token)?;
            // A trailing newline from `echo` or a terminal is not part of the token.
            let token = token.trim_end_matches(['\n', '\r']);
            if token.is_empty() {
                return Err(BadInput("標準入力にトークンがありません / no token on standard input".into()).into());
            }
            println!("{}", hash_token(token));
        }
    }
    Ok(ExitCode::SUCCESS)
}
