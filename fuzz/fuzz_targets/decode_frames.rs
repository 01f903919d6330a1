//! Fuzzes the binary protocol's decoders (`tp6::protocol::binary`): whatever bytes arrive,
//! in whatever pieces, a server's and a client's decoder give frames or a typed error,
//! never a panic, and never hold more than the largest frame allowed.
//!
//! The first input byte chooses where the stream is cut; the rest is the stream.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use tokio_util::codec::Decoder;
use tp6::protocol::binary::{ClientCodec, MAX_SERVER_FRAME, ServerCodec};

/// Feeds `stream` to `codec` in pieces of `piece` bytes, then ends it; stops at the first
/// error, as a connection would.
fn feed<D: Decoder>(mut codec: D, stream: &[u8], piece: usize) {
    let mut buf = BytesMut::new();
    for chunk in stream.chunks(piece.max(1)) {
        buf.extend_from_slice(chunk);
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => return,
            }
        }
        // Never more than one frame's worth beyond what arrived.
        assert!(buf.capacity() <= stream.len().max(MAX_SERVER_FRAME + 64) + 64);
    }
    while let Ok(Some(_)) = codec.decode_eof(&mut buf) {}
}

fuzz_target!(|data: &[u8]| {
    let Some((&cut, stream)) = data.split_first() else {
        return;
    };
    feed(ServerCodec, stream, usize::from(cut));
    feed(ClientCodec, stream, usize::from(cut));
});
