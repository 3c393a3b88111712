"""The network: one HTTP client for every request, where connections go, politeness,
retries, bounded bodies and redirects. Knows no host."""
