"""Pieces shared by both emulators."""
