"""Placeholder, replaced in the next step."""
from diagnosis.context import Work
from diagnosis.result import Diagnosis


def run(work: Work) -> Diagnosis:
    raise NotImplementedError
