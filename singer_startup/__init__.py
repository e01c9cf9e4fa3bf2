"""Start-up of the distribution's two Singer plugins, shared by their console scripts."""
