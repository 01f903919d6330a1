//! tp6: the async-networking course "TP6 : Chat room" rebuilt in Rust.
//!
//! What every stage must do is stated in `CONTRACT.md` at the repository root (shared
//! conventions, each stage's behaviour, the exact wire strings); the [`grade`] module is
//! that contract as executable checks.
//!
//! Each stage of the course is a binary in `src/bin` that a learner runs and reads; what a
//! stage merely reuses lives here, in a module named for what it is:
//!
//! | module | introduced by | what it is |
//! |---|---|---|
//! | [`part1`] | `sleep_and_print`, `web_*`, `measure` | the counting function, URL lists, file naming, downloads |
//! | [`chat::cli`] | `chat_server_ii_2` | the options every server and client share (address, port, wire) |
//! | [`chat::wire`] | `chat_server_ii_2` | message framing (`--wire lines`, `--wire tp`): one sans-IO codec (tokio-util `Decoder`/`Encoder`) every reader uses |
//! | [`chat::server`] | `chat_server_ii_2` | bind and print `Serving on`, then the accept loop (from ii_3) |
//! | [`chat::connection`] | `chat_server_ii_2` | one client on the server side: whole messages in, a queue out |
//! | [`chat::console`] | `chat_server_ii_2` | console lines that never make the server wait, shown visibly |
//! | [`chat::outbox`] | `chat_server_ii_2` | an outgoing queue and the task that writes it; cutting a client that stopped reading (ii_4) |
//! | [`chat::limits`] | `chat_server_ii_2` | every bound (message, queue, stall, close grace, console), with its reason |
//! | [`chat::link`] | `chat_client_ii_2` | the client side of a connection: whole messages in, a queue out |
//! | [`visible`](mod@visible) | every client and server | untrusted text made safe to print on a terminal |
//! | [`chat::registry`] | `chat_server_ii_4` | every connected client, and the broadcast that never waits |
//! | [`chat::handshake`] | `chat_server_ii_5` | `Hello\|<pseudo>` parsing and validation |
//! | [`chat::terminal`] | `chat_client_ii_3` | the user's terminal: keyboard thread, printing above the prompt |
//! | [`grade`] | every stage | the executable spec: checks, runner, reports; its loopback HTTP fixture is also `demo_pages` |
//! | [`bench`](mod@bench) | `chat_bench` | the load generator: clients that join, send, and measure what arrives |
//! | [`net`] | `chat_server_ii_2` | listening sockets with room for a burst of connections; a socket of an address's family |
//! | [`stages`] | every stage | the manifest: every stage in order |
//! | [`error`] | every binary | one-line fatal errors |
//! | [`protocol`] | `chat_server_bonus_1_cosmetic` | what travels, as types: requests and events, their French text, the line codecs |
//! | [`protocol::binary`] | `chat_server_bonus_4_encoding` | the bonus-4 frames: type byte, length, fields; every length checked before anything is allocated |
//! | [`room`] | `chat_server_bonus_1_cosmetic` | the bonus server built once: `run(listener, config, shutdown)`, the hub, colours, IDs |
//! | [`client`] | `chat_client_bonus_1_cosmetic` | the bonus client built once: events rendered (colours only from the server), the ID file |
//! | [`client::ascii`] | `chat_client_bonus_5_images` | pictures as ASCII art: PNG, JPEG, GIF, bounded before anything is decoded |
//! | [`clock`] | `chat_server_bonus_1_cosmetic` | the injectable clock, `HH:MM` and RFC 3339 renderings of local time |
//! | [`logs`] | `chat_server_bonus_2_logs` | the `tracing` subscriber the binaries install: console and log file, never waiting |
//! | [`settings`] | `chat_server_bonus_3_config` | config files (KEY=VALUE) and command-line values merged field by field, validated with exit codes 1-4 |

pub mod bench;
pub mod chat;
pub mod client;
pub mod clock;
pub mod error;
pub mod grade;
pub mod logs;
pub mod net;
pub mod part1;
pub mod protocol;
pub mod room;
pub mod settings;
pub mod stages;
pub mod visible;
