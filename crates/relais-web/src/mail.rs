//! Emails to professionals (invitations, password resets): through SMTP when a URL is
//! configured (`smtps://user:pass@host`, `smtp://host:25?tls=required` — lettre's URL form),
//! otherwise written as `.eml` files into an outbox folder, so that development and tests need
//! no mail server and an operator can see exactly what would have been sent.

use std::path::{Path, PathBuf};

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use relais_domain::accounts::Email;

/// Where emails go.
#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Outbox {
        dir: PathBuf,
        transport: AsyncFileTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

impl std::fmt::Debug for Mailer {
    // The SMTP URL may hold a password: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp { .. } => f.write_str("Mailer::Smtp"),
            Self::Outbox { dir, .. } => write!(f, "Mailer::Outbox({})", dir.display()),
        }
    }
}

/// Why the mailer could not be set up or a mail not be sent (never shows the URL's password).
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid sender address {0:?}")]
    From(String),
    #[error("invalid SMTP URL (expected smtp://, smtps://; see lettre's from_url)")]
    Url,
    #[error("cannot create the outbox folder {path}: {source}")]
    Outbox {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("sending failed: {0}")]
    Send(String),
}

/// An email to send: plain text, in the recipient's language.
#[derive(Clone)]
pub struct Mail {
    pub to: Email,
    pub subject: String,
    pub body: String,
}

impl std::fmt::Debug for Mail {
    // The recipient and the body (which carries a link's secret) never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail").finish_non_exhaustive()
    }
}

impl Mailer {
    /// SMTP when `smtp_url` is given, the outbox folder `outbox` otherwise (created if missing).
    pub fn new(smtp_url: Option<&str>, outbox: &Path, from: &str) -> Result<Self, MailError> {
        let from: Mailbox = from.parse().map_err(|_| MailError::From(from.to_owned()))?;
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|_| MailError::Url)?
                    .build();
                Ok(Self::Smtp { transport, from })
            }
            None => {
                std::fs::create_dir_all(outbox).map_err(|source| MailError::Outbox {
                    path: outbox.display().to_string(),
                    source,
                })?;
                Ok(Self::Outbox {
                    dir: outbox.to_owned(),
                    transport: AsyncFileTransport::new(outbox),
                    from,
                })
            }
        }
    }

    /// Mails into `dir` (created at the first mail): the default of a server with no SMTP.
    pub fn outbox_at(dir: &Path) -> Self {
        Self::Outbox {
            dir: dir.to_owned(),
            transport: AsyncFileTransport::new(dir),
            from: Mailbox::new(
                Some("Relais".into()),
                lettre::Address::new("relais", "localhost").expect("a valid address"),
            ),
        }
    }

    /// The outbox folder, when mails go there.
    pub fn outbox(&self) -> Option<&Path> {
        match self {
            Self::Outbox { dir, .. } => Some(dir),
            Self::Smtp { .. } => None,
        }
    }

    /// Sends `mail`. The log line names neither the recipient nor the content.
    pub async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let from = match self {
            Self::Smtp { from, .. } | Self::Outbox { from, .. } => from.clone(),
        };
        let to: Mailbox = mail
            .to
            .as_str()
            .parse()
            .map_err(|e: lettre::address::AddressError| MailError::Build(e.to_string()))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject)
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(body(&mail.body, self.outbox().is_some())),
            )
            .map_err(|e| MailError::Build(e.to_string()))?;
        match self {
            Self::Smtp { transport, .. } => {
                // The server's answer may quote the recipient's address: only its code goes
                // into the error (and so into a log).
                transport.send(message).await.map_err(|e| {
                    MailError::Send(format!(
                        "SMTP {} error, code {}",
                        if e.is_permanent() {
                            "permanent"
                        } else if e.is_transient() {
                            "transient"
                        } else {
                            "connection"
                        },
                        e.status()
                            .map_or_else(|| "none".to_owned(), |c| c.to_string())
                    ))
                })?;
            }
            Self::Outbox { transport, dir, .. } => {
                std::fs::create_dir_all(dir).map_err(|source| MailError::Outbox {
                    path: dir.display().to_string(),
                    source,
                })?;
                transport
                    .send(message)
                    .await
                    .map_err(|e| MailError::Send(e.to_string()))?;
            }
        }
        tracing::info!("email sent");
        Ok(())
    }
}

/// The text wrapped at 72 bytes (words are never cut, so a link stays whole), sent as 8bit so
/// that it stays readable in any client; a line that still does not fit (a link on a long
/// public URL) makes lettre fall back to quoted-printable for SMTP. A file in the outbox is
/// read by a person looking for the link: there the text is kept as it is (`binary`, a valid
/// MIME transfer encoding for a file that travels nowhere).
fn body(text: &str, for_a_file: bool) -> Body {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        let mut len = 0;
        for (i, word) in line.split(' ').enumerate() {
            if i > 0 {
                if len + 1 + word.len() > 72 {
                    out.push('\n');
                    len = 0;
                } else {
                    out.push(' ');
                    len += 1;
                }
            }
            out.push_str(word);
            len += word.len();
        }
        out.push('\n');
    }
    Body::new_with_encoding(out, ContentTransferEncoding::EightBit).unwrap_or_else(|raw| {
        if for_a_file {
            let crlf = String::from_utf8_lossy(&raw).replace('\n', "\r\n");
            Body::new_with_encoding(crlf, ContentTransferEncoding::Binary)
                .unwrap_or_else(|_| Body::new(raw))
        } else {
            Body::new(raw)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_smtp_mails_are_eml_files_in_the_outbox() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = dir.path().join("outbox");
        let mailer = Mailer::new(None, &outbox, "Relais <relais@localhost>").unwrap();
        mailer
            .send(Mail {
                to: Email::parse("claire@example.org").unwrap(),
                subject: "Invitation à Relais".into(),
                body: "Bonjour,\n\nVous êtes invitée à rejoindre le Point-justice sur Relais, l’espace des partenaires du réseau d’accès au droit : voici le lien (valable 72 h) :\nhttps://relais.partenaires.example.org/pro/lien/DHe02jx8ztbzc9wPTcIMA7_SJnQ4sUAoCRW4N_XLMDw\n".into(),
            })
            .await
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(&outbox)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].extension().unwrap(), "eml");
        let eml = std::fs::read_to_string(&files[0]).unwrap();
        assert!(eml.contains("To: claire@example.org"), "{eml}");
        assert!(
            eml.contains(
                "https://relais.partenaires.example.org/pro/lien/DHe02jx8ztbzc9wPTcIMA7_SJnQ4sUAoCRW4N_XLMDw\r\n"
            ),
            "the link whole on its line: {eml}"
        );
        assert!(eml.contains("Point-justice"), "{eml}");
        assert!(eml.contains("réseau d’accès"), "readable French: {eml}");
    }

    /// A minimal SMTP server on 127.0.0.1 that accepts one message and returns its DATA.
    async fn smtp_sink() -> (u16, tokio::task::JoinHandle<String>) {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
            let mut data = String::new();
            let mut in_data = false;
            while let Ok(Some(line)) = lines.next_line().await {
                if in_data {
                    if line == "." {
                        // The message is in; the client's pool may keep the connection open.
                        write.write_all(b"250 queued\r\n").await.unwrap();
                        break;
                    } else {
                        data.push_str(&line);
                        data.push('\n');
                    }
                    continue;
                }
                let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                let answer: &[u8] = match verb.as_str() {
                    "EHLO" | "HELO" => b"250 sink\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go on\r\n"
                    }
                    "QUIT" => {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    }
                    _ => b"250 ok\r\n",
                };
                write.write_all(answer).await.unwrap();
            }
            data
        });
        (port, task)
    }

    #[tokio::test]
    async fn with_an_smtp_url_mails_go_through_smtp() {
        let (port, sink) = smtp_sink().await;
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::new(
            Some(&format!("smtp://127.0.0.1:{port}")),
            &dir.path().join("outbox"),
            "Relais <relais@example.org>",
        )
        .unwrap();
        assert!(mailer.outbox().is_none());
        mailer
            .send(Mail {
                to: Email::parse("claire@example.org").unwrap(),
                subject: "Nouveau mot de passe".into(),
                body: "Bonjour,\nle lien : http://127.0.0.1/pro/lien/xyz\n".into(),
            })
            .await
            .unwrap();
        let data = tokio::time::timeout(std::time::Duration::from_secs(10), sink)
            .await
            .expect("the sink got the message")
            .unwrap();
        assert!(data.contains("To: claire@example.org"), "{data}");
        assert!(data.contains("/pro/lien/xyz"), "{data}");
        assert!(
            !dir.path().join("outbox").exists(),
            "nothing written to the outbox"
        );
    }

    #[test]
    fn a_bad_smtp_url_or_sender_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Mailer::new(Some("ftp://x"), dir.path(), "relais@localhost"),
            Err(MailError::Url)
        ));
        assert!(matches!(
            Mailer::new(None, dir.path(), "not an address"),
            Err(MailError::From(_))
        ));
    }
}
