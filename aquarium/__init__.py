"""aquarium package."""
