"""The foundations every layer uses: settings, errors, data models, sections, time parsing, redaction, logging."""
