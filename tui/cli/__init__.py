"""The headless command line: `weir <command>`."""
