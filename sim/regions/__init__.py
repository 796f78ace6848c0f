"""Built-in regions. ``fujiang`` is the embedded default (generated from a seed)."""
