"""The registry as open data: each record as linked data at its permalink, a DCAT-AP catalogue,
CSV of any filtered list, Atom feeds of published case studies.

Every answer here is public: it reads with the anonymous caller's visibility (`store.port.PUBLIC`),
so a draft or a submission is missing, exactly as it is from GraphQL.  `routes()` is what the app
mounts; each module holds one idea.
"""
