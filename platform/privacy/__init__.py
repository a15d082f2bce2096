"""Data rights: a person's own copy of everything held about them, anonymising a departed
teacher, and how long evidence files are kept."""
