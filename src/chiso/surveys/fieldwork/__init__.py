"""Fieldwork: frames and samples, contacting the sample, monitoring, quality, weights, indicators
from answers, their sampling error, the response browser and the exports."""
