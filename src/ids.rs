//! Keys of a worker's objects, shared by every module below the worker.
//! Nothing here imports anything above it.

/// Index of an object in one of the worker's slabs (routers, transports,
/// producers, consumers, ...).
pub type Key = usize;
