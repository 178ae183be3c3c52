"""The staff web console (FastAPI + Jinja2 + htmx), mounted at /console."""
