"""Built-in plugins, registered through this distribution's own entry points."""
