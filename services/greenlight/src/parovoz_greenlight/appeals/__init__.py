"""Appeals: a rejected submission's one appeal within the deadline, reviewed by a curator; an
approved appeal opens a new voting window."""
