//! End-to-end tests of the DTLS driver (in memory and against OpenSSL).

mod harness;
mod keys;
mod loopback;
mod openssl_interop;
mod robustness;
