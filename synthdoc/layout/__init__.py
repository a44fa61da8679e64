"""Layout modes. Each module turns text + fonts + a template into a :class:`synthdoc.doc.Page`."""
