"""Moving entries in and out: import, export, the old Markdown format and backups."""
