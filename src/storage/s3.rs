//! The S3-compatible backend (aws-sdk-s3 without aws-config: region,
//! endpoint, path-style addressing and static credentials from the
//! environment). Uploads are sent from a file on disk: small ones in one
//! request, larger ones in 8 MiB parts of a multipart upload (each part
//! read from the file as it is sent; the upload is aborted on any error).
//! Downloads are presigned GET links.

use std::time::Duration;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use aws_smithy_http_client::tls;
use tokio::io::AsyncRead;

use super::{Listed, Reader, StorageError};
use crate::config::PortalConfig;

/// Size of one part of a multipart upload (and the largest single PUT).
pub const PART: usize = 8 * 1024 * 1024;
/// How long a download link works.
pub const LINK_TTL: Duration = Duration::from_secs(300);

/// A bucket and a client for it.
#[derive(Clone)]
pub struct S3Store {
    pub client: aws_sdk_s3::Client,
    pub bucket: String,
}

fn failed<E: std::error::Error + Send + Sync + 'static, R: std::fmt::Debug>(
    e: SdkError<E, R>,
) -> StorageError {
    match e {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            StorageError::Unavailable(DisplayErrorContext(e).to_string())
        }
        other => StorageError::S3(DisplayErrorContext(other).to_string()),
    }
}

impl S3Store {
    /// Builds the client from `PORTAL_S3_*` and `AWS_ACCESS_KEY_ID` /
    /// `AWS_SECRET_ACCESS_KEY`.
    pub fn open(config: &PortalConfig) -> Result<Self, StorageError> {
        let bucket = config
            .s3_bucket
            .clone()
            .filter(|b| !b.is_empty())
            .ok_or(StorageError::Missing("PORTAL_S3_BUCKET"))?;
        let region = config
            .s3_region
            .clone()
            .unwrap_or_else(|| "us-east-1".into());
        let key = config
            .s3_access_key_id
            .clone()
            .or_else(|| std::env::var("AWS_ACCESS_KEY_ID").ok())
            .ok_or(StorageError::Missing("AWS_ACCESS_KEY_ID"))?;
        let secret = config
            .s3_secret_access_key
            .clone()
            .or_else(|| std::env::var("AWS_SECRET_ACCESS_KEY").ok())
            .ok_or(StorageError::Missing("AWS_SECRET_ACCESS_KEY"))?;
        Ok(Self::connect(
            config.s3_endpoint.as_deref(),
            &region,
            &bucket,
            &key,
            &secret,
        ))
    }

    /// A client for `bucket` at `endpoint` (AWS itself when `None`).
    pub fn connect(
        endpoint: Option<&str>,
        region: &str,
        bucket: &str,
        key: &str,
        secret: &str,
    ) -> Self {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        // Fail fast when the store is down: an upload then says so at once.
        let timeouts = aws_sdk_s3::config::timeout::TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(3))
            .read_timeout(Duration::from_secs(60))
            .build();
        let mut builder = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .credentials_provider(Credentials::new(key, secret, None, None, "environment"))
            .force_path_style(true)
            .timeout_config(timeouts)
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::standard().with_max_attempts(2))
            .http_client(http);
        if let Some(endpoint) = endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        Self {
            client: aws_sdk_s3::Client::from_conf(builder.build()),
            bucket: bucket.to_owned(),
        }
    }

    /// Whether the bucket exists and the credentials may use it, with the
    /// reason in words when not.
    pub async fn check(&self) -> Result<(), StorageError> {
        let probe = self.client.head_bucket().bucket(&self.bucket).send();
        let result = match tokio::time::timeout(Duration::from_secs(10), probe).await {
            Ok(r) => r,
            Err(_) => {
                return Err(StorageError::Unavailable(
                    "no answer within 10 seconds".into(),
                ))
            }
        };
        let e = match result {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        let status = e.raw_response().map(|r| r.status().as_u16());
        Err(match (&e, status) {
            (SdkError::DispatchFailure(_) | SdkError::TimeoutError(_), _) => {
                StorageError::Unavailable(format!("cannot reach the S3 endpoint: {}", DisplayErrorContext(&e)))
            }
            (_, Some(404)) => StorageError::S3(format!("the bucket {:?} does not exist", self.bucket)),
            (_, Some(401 | 403)) => {
                StorageError::S3(format!("access to the bucket {:?} was refused: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", self.bucket))
            }
            _ => StorageError::S3(format!("bucket {:?}: {}", self.bucket, DisplayErrorContext(&e))),
        })
    }

    /// Stores `source` under `key`; returns its size and SHA-256. The bytes
    /// are staged in a temporary file (hashed on the way) and sent from it
    /// like an upload, so memory holds one buffer whatever the size.
    pub async fn put(
        &self,
        key: &str,
        source: impl AsyncRead + Unpin + Send,
    ) -> Result<(u64, String), StorageError> {
        let staging = tempfile::NamedTempFile::new()?.into_temp_path();
        let hashed = super::copy_hashing(source, &staging).await?;
        self.put_file(key, &staging, Some(hashed)).await
    }

    /// Stores the file at `path` under `key`, each part streamed from disk
    /// (nothing of it held in memory); returns its size and SHA-256.
    pub async fn put_file(
        &self,
        key: &str,
        path: &std::path::Path,
        known: Option<(u64, String)>,
    ) -> Result<(u64, String), StorageError> {
        let (size, sha256) = match known {
            Some(k) => k,
            None => super::hash_file_async(path).await?,
        };
        if size < PART as u64 {
            let body = file_part(path, 0, size).await?;
            self.client
                .put_object()
                .bucket(&self.bucket)
                .key(key)
                .content_length(size as i64)
                .body(body)
                .send()
                .await
                .map_err(failed)?;
            return Ok((size, sha256));
        }
        let created = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(failed)?;
        let upload_id = created
            .upload_id()
            .ok_or_else(|| StorageError::S3("the store gave no upload id".into()))?
            .to_owned();
        let result = async {
            let mut parts = Vec::new();
            let mut offset = 0u64;
            let mut number = 1;
            while offset < size {
                let length = (PART as u64).min(size - offset);
                let sent = self
                    .client
                    .upload_part()
                    .bucket(&self.bucket)
                    .key(key)
                    .upload_id(&upload_id)
                    .part_number(number)
                    .content_length(length as i64)
                    .body(file_part(path, offset, length).await?)
                    .send()
                    .await
                    .map_err(failed)?;
                parts.push(
                    CompletedPart::builder()
                        .set_e_tag(sent.e_tag().map(str::to_owned))
                        .part_number(number)
                        .build(),
                );
                offset += length;
                number += 1;
            }
            self.client
                .complete_multipart_upload()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(&upload_id)
                .multipart_upload(
                    CompletedMultipartUpload::builder()
                        .set_parts(Some(parts))
                        .build(),
                )
                .send()
                .await
                .map_err(failed)?;
            Ok::<_, StorageError>(())
        }
        .await;
        if let Err(e) = result {
            let _ = self
                .client
                .abort_multipart_upload()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(&upload_id)
                .send()
                .await;
            return Err(e);
        }
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
                    failed(e)
                }
            })?;
        Ok(Box::pin(out.body.into_async_read()))
    }

    /// The size of an object, if it exists.
    pub async fn size_of(&self, key: &str) -> Result<Option<u64>, StorageError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(o) => Ok(Some(o.content_length().unwrap_or(0).max(0) as u64)),
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => Ok(None),
            Err(e) => Err(failed(e)),
        }
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
            .map_err(failed)
    }

    /// A short-lived link that downloads the object as an attachment.
    pub async fn link(
        &self,
        key: &str,
        disposition: &str,
        content_type: &str,
    ) -> Result<String, StorageError> {
        self.link_for(key, disposition, content_type, LINK_TTL)
            .await
    }

    /// A link valid for `ttl`.
    pub async fn link_for(
        &self,
        key: &str,
        disposition: &str,
        content_type: &str,
        ttl: Duration,
    ) -> Result<String, StorageError> {
        let config =
            PresigningConfig::expires_in(ttl).map_err(|e| StorageError::S3(e.to_string()))?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(disposition)
            .response_content_type(content_type)
            .presigned(config)
            .await
            .map_err(failed)?;
        Ok(request.uri().to_string())
    }

    /// Every object with its last modification time.
    pub async fn list(&self) -> Result<Vec<Listed>, StorageError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .set_continuation_token(token.clone())
                .send()
                .await
                .map_err(failed)?;
            for o in page.contents() {
                if let (Some(key), Some(modified)) = (o.key(), o.last_modified()) {
                    let modified =
                        chrono::DateTime::from_timestamp(modified.secs(), 0).unwrap_or_default();
                    out.push(Listed {
                        key: key.to_owned(),
                        modified,
                    });
                }
            }
            match page.next_continuation_token() {
                Some(t) if page.is_truncated().unwrap_or(false) => token = Some(t.to_owned()),
                _ => break,
            }
        }
        Ok(out)
    }
}

/// A body read from `length` bytes of a file at `offset`, as it is sent.
async fn file_part(
    path: &std::path::Path,
    offset: u64,
    length: u64,
) -> Result<ByteStream, StorageError> {
    ByteStream::read_from()
        .path(path)
        .offset(offset)
        .length(aws_sdk_s3::primitives::Length::Exact(length))
        .build()
        .await
        .map_err(|e| StorageError::Io(std::io::Error::other(e.to_string())))
}
