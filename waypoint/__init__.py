"""Waypoint: identify, protect and support victims of human trafficking."""
