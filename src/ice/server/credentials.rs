//! Random ICE credentials with mediasoup's alphabet.

use rand::Rng;

const CHARS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// `len` characters of [0-9a-z] from the thread's CSPRNG.
pub fn random_string(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}
