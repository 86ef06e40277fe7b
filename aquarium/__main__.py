"""`python -m aquarium` runs the command line (how `aquarium up` starts its children)."""

from aquarium.cli import main

main()
