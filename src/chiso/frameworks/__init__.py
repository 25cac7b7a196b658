"""Frameworks (bộ tiêu chí): index trees as versioned data — never as code."""
