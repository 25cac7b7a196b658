"""Index runs (lượt tính): inputs → the engine → stored, immutable, publishable results."""
