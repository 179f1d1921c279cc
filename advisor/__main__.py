"""`python -m advisor` is the `advisor` command."""
from .cli import main

main()
