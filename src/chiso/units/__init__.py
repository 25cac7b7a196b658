"""Units (đơn vị) and periods (kỳ đánh giá): who is assessed, when, and lineage across mergers."""
