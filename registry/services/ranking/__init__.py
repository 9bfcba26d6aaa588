"""The recommenders: partner cities and candidate experiments, their facts and their words."""
