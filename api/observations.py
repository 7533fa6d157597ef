"""/api/v1/indicators and /api/v1/observations (the indicator issue completes these)."""
