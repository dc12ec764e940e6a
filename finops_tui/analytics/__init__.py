"""Every figure users rely on, computed from the cache. No Textual or Rich here."""
