"""Evidence files in an S3-compatible bucket (AWS S3, MinIO, Ceph, OSS, COS...):
object ``<prefix><tenant>/<sha256>``. Needs the optional extra ``gongjian[s3]``
(boto3), which finds credentials and region its own way (environment, profile)."""

from __future__ import annotations

from typing import Any

from tenants.store.evidence_files import DEFAULT_MAX_BYTES, EvidenceStore, place


class S3EvidenceStore(EvidenceStore):
    """Files as objects of one bucket."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        prefix: str = "",
        max_bytes: int = DEFAULT_MAX_BYTES,
        client: Any = None,
    ) -> None:
        super().__init__(max_bytes)
        self.bucket, self.endpoint_url, self.prefix = bucket, endpoint_url, prefix
        self._client = client

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" + (
            f" at {self.endpoint_url}" if self.endpoint_url else ""
        )

    @property
    def client(self) -> Any:
        """The bucket's client, made on first use (clients are thread-safe)."""
        if self._client is None:
            try:
                import boto3
            except ImportError as error:  # pragma: no cover - depends on the installation
                raise RuntimeError(
                    "GONGJIAN_EVIDENCE_S3_BUCKET is set but boto3 is not installed: "
                    "install gongjian[s3]"
                ) from error
            self._client = boto3.client("s3", endpoint_url=self.endpoint_url)
        return self._client

    def key(self, tenant_id: str, sha256: str) -> str:
        """The object key of a tenant's file with this digest."""
        tenant_id, sha256 = place(tenant_id, sha256)
        return f"{self.prefix}{tenant_id}/{sha256}"

    def _write(self, tenant_id: str, sha256: str, content: bytes) -> None:
        # One PUT is atomic in S3: an object is whole or absent.
        self.client.put_object(Bucket=self.bucket, Key=self.key(tenant_id, sha256), Body=content)

    def _read(self, tenant_id: str, sha256: str) -> bytes | None:
        client = self.client
        try:
            answer = client.get_object(Bucket=self.bucket, Key=self.key(tenant_id, sha256))
        except client.exceptions.NoSuchKey:
            return None
        body: bytes = answer["Body"].read()
        return body
