"""Theo dõi, đôn đốc — acting on results: directives and tasks, improvement plans, targets, the leadership dashboard."""
