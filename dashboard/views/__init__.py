"""One module per view; each defines its layout and registers its callbacks with `dash.callback`."""
