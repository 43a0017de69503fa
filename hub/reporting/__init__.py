"""The key figures as files: tables (CSV, XLSX), a one-page PDF and SVG charts."""
