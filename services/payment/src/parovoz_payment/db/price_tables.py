"""Price table: read model of developer-portal's game prices."""
