//! The bonus client, built once: [`run`] chats with a stage's [`Config`].
//!
//! The Part II clients are lessons; the bonus client is one program configured per stage,
//! on the same pieces: a [`Link`] to the server and the [`Terminal`] (keyboard thread,
//! printing above the line being typed). What is new is that it understands what the
//! server says ([`Event`]s, read back from the French text) and renders it
//! ([`render`]): colours when the terminal should have them, the user's own messages as
//! `Vous avez dit : …`, the ID of bonus 2 kept in a file ([`idfile`]) instead of printed,
//! and every line of the conversation in the log (bonus 2 logs; the binary sets the log
//! up, this module only emits the lines).

pub mod ascii;
pub mod idfile;
pub mod render;

use crate::chat::cli::Endpoint;
use crate::chat::limits::MAX_MESSAGE;
use crate::chat::link::{DROPPED, Link};
use crate::chat::terminal::Terminal;
use crate::chat::wire::{Incoming, ReadError, Wire};
use crate::protocol::{Codec, Event, Request, binary, lines};
use crate::room::ids::ID_LEN;
use std::path::PathBuf;
use tokio_util::codec::Decoder;

/// What a stage's client does. The default is Part II's complete client (with the events
/// it does not know shown as they came).
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the server is.
    pub endpoint: Endpoint,
    /// How requests and events go on the wire: lines (or `tp`), or the frames of bonus 4.
    pub codec: Codec,
    /// The pseudo given on the command line (asked for otherwise).
    pub pseudo: Option<String>,
    /// Bonus 1: the user's own messages shown as `Vous avez dit : …`, colours shown when
    /// stdout is a terminal and `NO_COLOR` is unset.
    pub style: bool,
    /// Bonus 2 ids: where the ID is kept.
    pub id_file: Option<PathBuf>,
    /// Bonus 5: `/img <path>` (and `/di <path>`) send a picture as ASCII art this many
    /// characters wide.
    pub images: Option<u32>,
}

/// How a bonus client logs (bonus 2 logs): the conversation, stamped with the local time,
/// in `file` only (the terminal is the chat).
pub fn logs(file: crate::logs::LogFile) -> crate::logs::LogSetup {
    crate::logs::LogSetup {
        console: false,
        timestamps: true,
        file: Some(file),
        clock: std::sync::Arc::new(crate::clock::SystemClock),
    }
}

/// The keys of a bonus client's config file (later stages add theirs).
pub const KEYS: &[&str] = &["HOST", "PORT", "PSEUDO", "ID_FILE", "LOG_FILE"];

/// What a bonus client's command line and config file say (bonus 3 on).
pub struct Settings {
    /// Where the server is.
    pub endpoint: Endpoint,
    /// `PSEUDO` / `--pseudo`.
    pub pseudo: Option<String>,
    /// `ID_FILE` / `--id-file`, or the default.
    pub id_file: PathBuf,
    /// `LOG_FILE` / `--log-file`, or the default.
    pub log_file: crate::logs::LogFile,
    /// Every layer, for the keys of later stages (`extra`).
    pub layers: crate::settings::Layers,
}

/// Reads a bonus client's settings: the command line over the config file over the
/// defaults, key by key; `extra` are the keys of later stages with their flags and values.
pub fn settings(
    configured: &crate::chat::cli::Configured,
    wire: Wire,
    pseudo: Option<String>,
    id: &crate::chat::cli::IdFileArg,
    log: &crate::chat::cli::LogFileArg,
    extra: Vec<(&'static str, &'static str, Option<String>)>,
) -> Result<Settings, crate::settings::SettingsError> {
    let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
    let mut flags = vec![
        ("PSEUDO", "--pseudo", pseudo),
        ("ID_FILE", "--id-file", path(&id.id_file)),
        ("LOG_FILE", "--log-file", path(&log.log_file)),
    ];
    let mut keys = KEYS.to_vec();
    keys.extend(extra.iter().map(|(key, _, _)| *key));
    flags.extend(extra);
    let (endpoint, layers) = configured.resolve(wire, &keys, flags, false)?;
    let value = |key| layers.get(key).map(|v| v.value.clone());
    let log = crate::chat::cli::LogFileArg {
        log_file: value("LOG_FILE").map(Into::into),
    };
    // Checked before connecting, and blamed on where it was written.
    let pseudo = match layers.get("PSEUDO") {
        Some(given) => Some(
            crate::chat::handshake::validate_pseudo(&given.value).map_err(|e| {
                crate::settings::SettingsError::InvalidPseudo {
                    value: given.value.clone(),
                    origin: given.origin.clone(),
                    reason: e.explain(),
                }
            })?,
        ),
        None => None,
    };
    Ok(Settings {
        endpoint,
        pseudo,
        id_file: value("ID_FILE").map_or_else(idfile::default_path, Into::into),
        log_file: log.or_default("client.log"),
        layers,
    })
}

/// Connects, introduces itself (with its ID if it has one), then shows what the server says
/// and sends what the user types, until either side ends.
pub async fn run(config: Config) -> anyhow::Result<()> {
    // Connect first: a server that is down is reported before anything is asked.
    match config.codec {
        Codec::Lines(wire) => {
            let codec = lines::ClientCodec::new(wire);
            let size = codec.read_size();
            let link = Link::connect_with(&config.endpoint, wire, codec, size).await?;
            chat(link, &config).await
        }
        Codec::Binary => {
            let (codec, size) = (binary::ClientCodec, binary::READ_SIZE);
            let link = Link::connect_with(&config.endpoint, Wire::Lines, codec, size).await?;
            chat(link, &config).await
        }
    }
}

/// Shows what the server sent; `Ok(false)` once it has closed the connection (said to the
/// user), an error when what it sent cannot be read.
fn heard<E: ReadError>(
    terminal: &mut Terminal,
    config: &Config,
    message: Result<Option<Incoming<Event>>, E>,
    colours: bool,
) -> anyhow::Result<bool> {
    match message {
        Ok(Some(Incoming::Message(event))) => show(terminal, config, &event, colours),
        Ok(Some(Incoming::TooLong)) => terminal.show(DROPPED),
        Ok(None) => {
            tracing::info!("Server closed the connection");
            terminal.goodbye("Server closed the connection. Bye!");
            return Ok(false);
        }
        Err(e) => {
            tracing::info!("The server sent something unreadable: {e}");
            terminal.goodbye("The server sent something unreadable. Bye!");
            anyhow::bail!("unreadable data from the server: {e}");
        }
    }
    Ok(true)
}

/// The chat itself, whatever the codec.
async fn chat<C>(mut server: Link<C>, config: &Config) -> anyhow::Result<()>
where
    C: Decoder<Item = Incoming<Event>>,
    C::Error: ReadError,
{
    let mut terminal = Terminal::start();
    let colours = config.style && render::colours_wanted();
    // While the user thinks of a pseudo, the server may already be gone: wait for both.
    let pseudo = loop {
        tokio::select! {
            pseudo = terminal.pseudo(config.pseudo.clone()) => break pseudo,
            message = server.receive() => if !heard(&mut terminal, config, message, colours)? {
                return Ok(());
            },
        }
    };
    let Some(pseudo) = pseudo else {
        return Ok(());
    };
    let server_addr = config.endpoint.socket_addr();
    let id = (config.id_file.as_deref()).and_then(|path| idfile::load(path, server_addr));
    server.push(config.codec.request(&Request::Hello { pseudo, id }));
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            message = server.receive() => if !heard(&mut terminal, config, message, colours)? {
                break;
            },
            typed = terminal.next_line() => match typed {
                Ok(line) if line.is_empty() => {}
                Ok(line) => match (config.images, image_command(&line)) {
                    (Some(width), Some(path)) => send_image(&server, &terminal, config, path, width).await,
                    // The server would refuse it (and, in frames, close the connection):
                    // it is refused here, and nothing is sent.
                    _ if line.len() > MAX_MESSAGE => terminal.show(&format!(
                        "Not sent: a message is at most {MAX_MESSAGE} bytes (this one has {})",
                        line.len()
                    )),
                    _ => {
                        let own = render::own(&line);
                        server.push(config.codec.request(&Request::Say(line)));
                        tracing::info!("{own}");
                        if config.style {
                            terminal.show_rendered(&own);
                        }
                    }
                },
                Err(_) => {
                    // End of input: send what is left, then close our side.
                    server.close().await;
                    break;
                }
            },
            _ = &mut ctrl_c => break,
        }
    }
    Ok(())
}

/// The path of an image command, `/img <path>` (or the `/di <path>` of the course's
/// write-up); `Some("")` when the path is missing.
fn image_command(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix("/img")
        .or_else(|| line.strip_prefix("/di"))?;
    (rest.is_empty() || rest.starts_with(' ')).then(|| rest.trim())
}

/// Turns the picture at `path` into ASCII art (on a blocking thread: decoding takes a
/// while) and sends it; a file that cannot be read is a local error, and nothing is sent.
async fn send_image<C>(
    server: &Link<C>,
    terminal: &Terminal,
    config: &Config,
    path: &str,
    width: u32,
) where
    C: Decoder,
    C::Error: ReadError,
{
    if path.is_empty() {
        terminal.show("Usage: /img <path to a PNG, JPEG or GIF file>");
        return;
    }
    let file = PathBuf::from(path);
    let art = tokio::task::spawn_blocking(move || ascii::from_file(&file, width)).await;
    match art {
        Ok(Ok(art)) => {
            tracing::info!(
                "Vous avez envoyé une image ({} lignes)",
                art.split('\n').count()
            );
            terminal.show_rendered(&render::own_image(&art));
            server.push(config.codec.request(&Request::Image(art)));
        }
        Ok(Err(e)) => terminal.show(&format!("Image not sent: {e}")),
        Err(e) => terminal.show(&format!("Image not sent: {e}")),
    }
}

/// Shows one event (and logs it, without colours).
fn show(terminal: &Terminal, config: &Config, event: &Event, colours: bool) {
    // In `tp` mode a read is a message, and TCP may glue the next one to `ID|<id>` (the
    // join announcement follows it at once): an ID is 32 hex digits, the rest is another
    // message.
    if let Event::Id(text) = event
        && let (Some(id), Some(rest)) = (text.get(..ID_LEN), text.get(ID_LEN..))
        && !rest.is_empty()
        && crate::room::ids::is_well_formed(id)
    {
        show(terminal, config, &Event::Id(id.to_string()), colours);
        show(
            terminal,
            config,
            &crate::protocol::french::parse_event(rest),
            colours,
        );
        return;
    }
    if let (Event::Id(id), Some(path)) = (event, &config.id_file) {
        let line = match idfile::save(path, config.endpoint.socket_addr(), id) {
            Ok(()) => format!(
                "(Your ID is kept in {}: you will be recognised when you come back.)",
                path.display()
            ),
            Err(e) => format!("(Could not keep your ID in {}: {e})", path.display()),
        };
        tracing::info!("{line}");
        terminal.show(&line);
        return;
    }
    match event {
        // A picture is many lines: the log says who sent one.
        Event::Image { pseudo, .. } => {
            tracing::info!("Image de {}", crate::visible::visible(pseudo))
        }
        _ => tracing::info!("{}", render::render(event, false)),
    }
    terminal.show_rendered(&render::render(event, colours));
}
