"""People and the district's organisation: users, roles, schools, PLCs, sign-in, rosters."""
