"""The integration patterns as real code: Core Service, Integration Service, caches and syncs.

Nothing here imports ``simulator`` or ``app``: a system of record is reached only through the
``SourceSystem`` port, and time only through the ``Runtime`` port (see ``ports.py``).
"""
