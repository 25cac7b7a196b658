"""chiso — chỉ số: a province's public-administration and business-climate indices, end to end."""

__version__ = "0.1.0"
