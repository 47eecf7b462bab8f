from lti_tool.clock import utcnow

__all__ = ["utcnow"]
