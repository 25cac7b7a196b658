"""PAR Index assessment (đánh giá Chỉ số CCHC): self-assessment with evidence, appraisal, explanation, council, publication."""
