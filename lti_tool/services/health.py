"""What a load balancer's health check needs to know: can this process reach its database."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lti_tool.extensions import db

log = logging.getLogger("lti_tool.health")


def database_reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        log.warning("health check: the database is not reachable", exc_info=True)
        db.session.rollback()
        return False
    finally:
        db.session.remove()
