"""Finance use cases, one function per action, over the unit of work."""
