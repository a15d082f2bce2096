"""Verifiable credentials: Open Badges 2.0 hosted documents, signed Open Badges 3.0 credentials, baked
images, status lists, public verification pages and the teacher's learning record."""
