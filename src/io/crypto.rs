//! The cryptography behind HTTPS and S3 request signing: *ring* in the default build (the
//! `ring` feature), graviola in the pure-Rust one. Everything that needs a provider asks here,
//! so the choice is made in one place.

use std::sync::{Arc, OnceLock};

/// The rustls provider for this build.
pub(crate) fn tls_provider() -> rustls::crypto::CryptoProvider {
    #[cfg(feature = "ring")]
    {
        rustls::crypto::ring::default_provider()
    }
    #[cfg(not(feature = "ring"))]
    {
        rustls_graviola::default_provider()
    }
}

/// Installs [`tls_provider`] as rustls' process default once (reqwest and object_store are
/// built without one, and look it up there).
pub(crate) fn install_tls_provider() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        // Err means another provider is already installed: fine.
        let _ = tls_provider().install_default();
    });
}

/// object_store's signing provider, when it is not its compiled-in *ring* one.
pub(crate) fn signing_provider() -> Option<Arc<dyn object_store::client::CryptoProvider>> {
    #[cfg(feature = "ring")]
    {
        None
    }
    #[cfg(not(feature = "ring"))]
    {
        Some(Arc::new(graviola_signing::Graviola))
    }
}

/// SHA-256 digests and HMACs (all S3's SigV4 needs) from graviola.
#[cfg(not(feature = "ring"))]
mod graviola_signing {
    use graviola::hashing::hmac::Hmac;
    use graviola::hashing::{Hash, HashContext, HashOutput, Sha256};
    use object_store::client::{
        CryptoProvider, DigestAlgorithm, DigestContext, HmacContext, Signer, SigningAlgorithm,
    };

    #[derive(Debug)]
    pub(super) struct Graviola;

    impl CryptoProvider for Graviola {
        fn digest(
            &self,
            algorithm: DigestAlgorithm,
        ) -> object_store::Result<Box<dyn DigestContext>> {
            match algorithm {
                DigestAlgorithm::Sha256 => Ok(Box::new(Digest::Running(Sha256::new()))),
                other => Err(unsupported(format!("digest {other:?}"))),
            }
        }

        fn hmac(
            &self,
            algorithm: DigestAlgorithm,
            secret: &[u8],
        ) -> object_store::Result<Box<dyn HmacContext>> {
            match algorithm {
                DigestAlgorithm::Sha256 => Ok(Box::new(Mac::Running(Hmac::<Sha256>::new(secret)))),
                other => Err(unsupported(format!("hmac {other:?}"))),
            }
        }

        fn sign(
            &self,
            algorithm: SigningAlgorithm,
            _pem: &[u8],
        ) -> object_store::Result<Box<dyn Signer>> {
            Err(unsupported(format!(
                "{algorithm:?} signing (service-account keys): build cogtiler with the `ring` feature"
            )))
        }
    }

    fn unsupported(what: String) -> object_store::Error {
        object_store::Error::NotSupported {
            source: what.into(),
        }
    }

    /// A digest being fed, then its output (the trait hands out a borrow of it).
    enum Digest {
        Running(<Sha256 as Hash>::Context),
        Done(HashOutput),
    }

    impl DigestContext for Digest {
        fn update(&mut self, data: &[u8]) {
            if let Digest::Running(ctx) = self {
                ctx.update(data);
            }
        }

        fn finish(&mut self) -> object_store::Result<&[u8]> {
            if let Digest::Running(ctx) = self {
                *self = Digest::Done(ctx.clone().finish());
            }
            match self {
                Digest::Done(out) => Ok(HashOutput::as_ref(out)),
                Digest::Running(_) => unreachable!("finished above"),
            }
        }
    }

    enum Mac {
        Running(Hmac<Sha256>),
        Done(HashOutput),
        Taken,
    }

    impl HmacContext for Mac {
        fn update(&mut self, data: &[u8]) {
            if let Mac::Running(mac) = self {
                mac.update(data);
            }
        }

        fn finish(&mut self) -> object_store::Result<&[u8]> {
            if let Mac::Running(mac) = std::mem::replace(self, Mac::Taken) {
                *self = Mac::Done(mac.finish());
            }
            match self {
                Mac::Done(out) => Ok(HashOutput::as_ref(out)),
                _ => Err(unsupported("hmac finished twice".into())),
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn hex(b: &[u8]) -> String {
            b.iter().map(|x| format!("{x:02x}")).collect()
        }

        /// FIPS 180-2's "abc" and RFC 4231's test case 2: the values SigV4 depends on.
        #[test]
        fn sha256_and_hmac_match_the_published_vectors() {
            let mut d = Graviola.digest(DigestAlgorithm::Sha256).unwrap();
            d.update(b"ab");
            d.update(b"c");
            assert_eq!(
                hex(d.finish().unwrap()),
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            );
            let mut m = Graviola.hmac(DigestAlgorithm::Sha256, b"Jefe").unwrap();
            m.update(b"what do ya want for nothing?");
            assert_eq!(
                hex(m.finish().unwrap()),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            );
        }
    }
}
