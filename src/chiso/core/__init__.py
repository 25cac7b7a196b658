"""The frame every page shares: layout, home pages per role, the period switcher, formats."""
