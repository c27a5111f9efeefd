//! The S3-compatible backend (aws-sdk-s3 without aws-config: region,
//! endpoint, path-style addressing and static credentials from the
//! environment).

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::tls;

use super::{Reader, StorageError};
use crate::config::PortalConfig;

/// A bucket and a client for it.
#[derive(Clone)]
pub struct S3Store {
    pub client: aws_sdk_s3::Client,
    pub bucket: String,
}

impl S3Store {
    /// Builds the client from `PORTAL_S3_*` and `AWS_ACCESS_KEY_ID` /
    /// `AWS_SECRET_ACCESS_KEY`.
    pub fn open(config: &PortalConfig) -> Result<Self, StorageError> {
        let bucket = config
            .s3_bucket
            .clone()
            .ok_or(StorageError::Missing("PORTAL_S3_BUCKET"))?;
        let region = config
            .s3_region
            .clone()
            .unwrap_or_else(|| "us-east-1".into());
        let key = std::env::var("AWS_ACCESS_KEY_ID")
            .map_err(|_| StorageError::Missing("AWS_ACCESS_KEY_ID"))?;
        let secret = std::env::var("AWS_SECRET_ACCESS_KEY")
            .map_err(|_| StorageError::Missing("AWS_SECRET_ACCESS_KEY"))?;
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut builder = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region))
            .credentials_provider(Credentials::new(key, secret, None, None, "environment"))
            .force_path_style(true)
            .http_client(http);
        if let Some(endpoint) = &config.s3_endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        Ok(Self {
            client: aws_sdk_s3::Client::from_conf(builder.build()),
            bucket,
        })
    }

    /// Whether the bucket exists and the credentials may use it.
    pub async fn check(&self) -> Result<(), StorageError> {
        let probe = self.client.head_bucket().bucket(&self.bucket).send();
        match tokio::time::timeout(std::time::Duration::from_secs(5), probe).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(StorageError::S3(format!(
                "bucket {}: {}",
                self.bucket,
                aws_sdk_s3::error::DisplayErrorContext(e)
            ))),
            Err(_) => Err(StorageError::S3("no answer within 5 seconds".into())),
        }
    }

    /// Stores `source` under `key`: staged to a local temporary file while
    /// hashing, then sent from the file, so memory holds one buffer.
    pub async fn put(
        &self,
        key: &str,
        source: impl tokio::io::AsyncRead + Unpin + Send,
    ) -> Result<(u64, String), StorageError> {
        let staging = tempfile::NamedTempFile::new()?.into_temp_path();
        let (size, sha256) = super::copy_hashing(source, &staging).await?;
        let body = aws_sdk_s3::primitives::ByteStream::from_path(&staging)
            .await
            .map_err(|e| StorageError::S3(format!("reading the staged upload: {e}")))?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_length(i64::try_from(size).unwrap_or(i64::MAX))
            .body(body)
            .send()
            .await
            .map_err(|e| StorageError::S3(aws_sdk_s3::error::DisplayErrorContext(e).to_string()))?;
        Ok((size, sha256))
    }

    /// Reads an object.
    pub async fn read(&self, key: &str) -> Result<Reader, StorageError> {
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| {
                if e.as_service_error().is_some_and(|s| s.is_no_such_key()) {
                    StorageError::NotFound
                } else {
                    StorageError::S3(aws_sdk_s3::error::DisplayErrorContext(e).to_string())
                }
            })?;
        Ok(Box::pin(out.body.into_async_read()))
    }

    /// Deletes an object.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StorageError::S3(aws_sdk_s3::error::DisplayErrorContext(e).to_string()))
    }
}
