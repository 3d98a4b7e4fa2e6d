"""Offline licenses: Ed25519-signed tokens (JWS) for one game on one device, and the public
keys (JWKS)."""
