"""Media of games: screenshots, trailers and capsules per locale, uploaded straight to S3."""
