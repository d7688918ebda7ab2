"""Course media in S3: the bucket store, playback URL signing and content sniffing."""
