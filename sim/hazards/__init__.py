"""Hazards: the physics of plumes, floods and slides, and the hazards of a run."""
