//! Chat building blocks, one concept per module, each introduced by the stage that first
//! needs it (see the table in the crate docs).

pub mod cli;
pub mod connection;
pub mod console;
pub mod handshake;
pub mod limits;
pub mod link;
pub mod outbox;
pub mod registry;
pub mod server;
pub mod terminal;
pub mod wire;
