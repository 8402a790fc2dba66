"""Briefings for leaders: period and special reports (build.py), rendered to DOCX, HTML and PDF."""
