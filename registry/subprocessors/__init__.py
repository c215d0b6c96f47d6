"""Our services and the sub-processors that serve them, with locations and full history."""
