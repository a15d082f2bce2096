"""The badge catalogue: strands, badges, rubrics, prerequisites, versions, collections, authoring."""
