"""`python -m lab up ...` = `faultline lab up ...`."""
from lab.cli import app

app()
