"""One router per area; ``api.app.create_app`` includes them in this order."""

from __future__ import annotations

from api.routes import admin, corpus, docs, feedback, feeds, health, pages, search

ROUTERS = (search.router, feeds.router, health.router, admin.router, corpus.router, docs.router, feedback.router,
           pages.router)

__all__ = ["ROUTERS"]
