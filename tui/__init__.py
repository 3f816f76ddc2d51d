"""The faces of Weir: the Textual app and the headless CLI. Nothing imports this package."""
