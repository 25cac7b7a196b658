"""Questionnaires and collection: reading XLSForms, evaluating answers, the respondent's pages,
links and codes, offline devices, responses imported from other tools."""
