"""The bundled scenario files (``*.toml``), shipped as package data and read with importlib.resources."""
