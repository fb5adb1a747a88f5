"""Renderers of generated reports, one module per output format (text layouts, HTML, DOCX, PDF)."""
