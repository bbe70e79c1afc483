//! Keys of a worker's objects, shared by every module below the worker.
//! Nothing here imports anything above it.
//!
//! Each kind of object has its own key type, so that a producer's key can
//! never index the consumers' slab; `Slab<K, T>` only accepts its own `K`.

use std::fmt;
use std::marker::PhantomData;

/// A key: the index of an object in its kind's slab.
pub trait SlabKey: Copy + Eq + std::hash::Hash + fmt::Debug {
    fn from_index(index: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! keys {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u32);

        impl SlabKey for $name {
            fn from_index(index: usize) -> Self {
                $name(u32::try_from(index).expect("more than u32::MAX objects"))
            }
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }
    )*};
}

keys! {
    /// A Router.
    RouterKey,
    /// A Transport of any kind (WebRTC, plain, direct).
    TransportKey,
    /// A Producer.
    ProducerKey,
    /// A Consumer.
    ConsumerKey,
    /// An RTP observer (ActiveSpeakerObserver, AudioLevelObserver).
    RtpObserverKey,
    /// A WebRtcServer.
    WebRtcServerKey,
    /// A DataProducer.
    DataProducerKey,
    /// A DataConsumer.
    DataConsumerKey,
}

/// A slab of `T` addressed by keys of type `K` only.
pub struct Slab<K, T> {
    inner: slab::Slab<T>,
    key: PhantomData<K>,
}

impl<K: SlabKey, T> Default for Slab<K, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: SlabKey, T> Slab<K, T> {
    pub fn new() -> Self {
        Slab {
            inner: slab::Slab::new(),
            key: PhantomData,
        }
    }

    pub fn insert(&mut self, value: T) -> K {
        K::from_index(self.inner.insert(value))
    }

    /// The key the next `insert` will return.
    pub fn vacant_key(&self) -> K {
        K::from_index(self.inner.vacant_key())
    }

    pub fn get(&self, key: K) -> Option<&T> {
        self.inner.get(key.index())
    }

    pub fn get_mut(&mut self, key: K) -> Option<&mut T> {
        self.inner.get_mut(key.index())
    }

    pub fn contains(&self, key: K) -> bool {
        self.inner.contains(key.index())
    }

    /// Removes and returns the value; panics if the key is vacant.
    pub fn remove(&mut self, key: K) -> T {
        self.inner.remove(key.index())
    }

    pub fn try_remove(&mut self, key: K) -> Option<T> {
        self.inner.try_remove(key.index())
    }

    pub fn len(&self) -> usize {
        self.inner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (K, &T)> {
        self.inner.iter().map(|(i, v)| (K::from_index(i), v))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (K, &mut T)> {
        self.inner.iter_mut().map(|(i, v)| (K::from_index(i), v))
    }

    pub fn keys(&self) -> impl Iterator<Item = K> + '_ {
        self.inner.iter().map(|(i, _)| K::from_index(i))
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.inner.iter().map(|(_, v)| v)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(K, &mut T) -> bool) {
        self.inner.retain(|i, v| keep(K::from_index(i), v))
    }
}

impl<K: SlabKey, T> std::ops::Index<K> for Slab<K, T> {
    type Output = T;
    fn index(&self, key: K) -> &T {
        &self.inner[key.index()]
    }
}

impl<K: SlabKey, T> std::ops::IndexMut<K> for Slab<K, T> {
    fn index_mut(&mut self, key: K) -> &mut T {
        &mut self.inner[key.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_index_only_their_own_slab_and_are_reused() {
        let mut producers: Slab<ProducerKey, &str> = Slab::new();
        let a = producers.insert("a");
        let b = producers.insert("b");
        assert_eq!(producers[a], "a");
        assert_eq!(producers.vacant_key().index(), 2);
        assert_eq!(producers.remove(a), "a");
        assert!(!producers.contains(a));
        assert_eq!(producers.keys().collect::<Vec<_>>(), vec![b]);
        // A vacated key is handed out again, as slab does.
        assert_eq!(producers.insert("c"), a);
        assert_eq!(format!("{a:?}"), "ProducerKey(0)");
        producers.retain(|k, _| k != b);
        assert_eq!(producers.len(), 1);
    }
}
