"""District reports: the dashboard (district-wide, or a coach's own schools), one teacher's record
for HR and licensure questions, the credit-hours export and statement, and the audit log viewer."""
