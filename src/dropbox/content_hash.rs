//! Dropbox's `content_hash`: the fingerprint `FileMetadata.content_hash` carries.
//!
//! The bytes are cut into 4 MiB blocks, each block is hashed with SHA-256, and
//! the concatenated raw block digests are hashed once more with SHA-256. It is
//! computed over blocks rather than the whole stream so Dropbox can hash uploads
//! chunk by chunk; a plain SHA-256 of the file does not match it.

use sha2::{Digest, Sha256};

/// Dropbox hashes files in blocks of exactly this many bytes.
pub const BLOCK_SIZE: usize = 4 * 1024 * 1024;

/// The `content_hash` of a whole buffer, as lowercase hex.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut hasher = ContentHasher::new();
    hasher.update(bytes);
    hasher.finish()
}

/// Computes a `content_hash` over data that arrives in pieces of any size,
/// such as a download streamed to disk.
#[derive(Clone, Default)]
pub struct ContentHasher {
    /// Digests of the blocks completed so far, concatenated.
    overall: Sha256,
    /// The block being filled.
    block: Sha256,
    /// How many bytes `block` has taken in; always below `BLOCK_SIZE` between calls.
    block_len: usize,
}

impl ContentHasher {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let room = BLOCK_SIZE - self.block_len;
            let (head, rest) = bytes.split_at(room.min(bytes.len()));
            self.block.update(head);
            self.block_len += head.len();
            bytes = rest;
            if self.block_len == BLOCK_SIZE {
                self.close_block();
            }
        }
    }

    /// The lowercase hex digest. Empty input hashes to the SHA-256 of nothing,
    /// because no block digest was ever appended.
    pub fn finish(mut self) -> String {
        if self.block_len > 0 {
            self.close_block();
        }
        hex::encode(self.overall.finalize())
    }

    fn close_block(&mut self) {
        let digest = std::mem::take(&mut self.block).finalize();
        self.overall.update(digest);
        self.block_len = 0;
    }
}

impl std::fmt::Debug for ContentHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentHasher")
            .field("block_len", &self.block_len)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 4 MiB of `i % 256`, the block-boundary vector from DROPBOX.md.
    fn one_block_pattern() -> Vec<u8> {
        (0..BLOCK_SIZE).map(|i| (i % 256) as u8).collect()
    }

    #[test]
    fn empty_input() {
        assert_eq!(
            content_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn hello_world() {
        assert_eq!(
            content_hash(b"hello world"),
            "bc62d4b80d9e36da29c16c5d4d9f11731f36052c72401a76c23c0fb5a9b74423"
        );
    }

    #[test]
    fn exactly_one_block() {
        assert_eq!(
            content_hash(&one_block_pattern()),
            "894bbb52d1212d6bcbe9967f1a2169138c4d4af0c8dfbaeae86cd1d3f0c03faf"
        );
    }

    #[test]
    fn one_byte_past_a_block() {
        let mut bytes = one_block_pattern();
        bytes.push(0xFF);
        assert_eq!(
            content_hash(&bytes),
            "9149387a91f71c7c2149b8427d15526b71c1a38d6c6f999ad71486a2ce788d57"
        );
    }

    #[test]
    fn streaming_matches_whole_buffer_for_any_chunking() {
        let mut bytes = one_block_pattern();
        bytes.extend_from_slice(b"tail that crosses into a second block");
        let expected = content_hash(&bytes);
        // Chunk sizes that do and do not divide the block size.
        for chunk in [1_000_003, 4096, BLOCK_SIZE, BLOCK_SIZE + 1] {
            let mut hasher = ContentHasher::new();
            for piece in bytes.chunks(chunk) {
                hasher.update(piece);
            }
            assert_eq!(hasher.finish(), expected, "chunk size {chunk}");
        }
    }
}
