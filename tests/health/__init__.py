"""Tests of the pure health domain."""
