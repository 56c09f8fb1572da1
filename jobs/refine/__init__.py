"""Bronze -> silver: typed, deduplicated, pseudonymized tables, one per event type, plus accounts."""
