# The repository's identity and layers, read by `plumego check`. The minimal profile needs only this
# file, dependency-rules.yaml and the manifests; every other spec turns its feature on by existing.
profile: minimal
identity:
  name: {{name}}
  package: {{name}}
  description: A Plumego service scaffolded by plumego new ({{template}} template).
  library_root: src

layers:
  facade:
    description: The service itself - src/, with its public surface in src/index.ts.
    paths: [src]
  stable:
    description: Modules of the service with their own manifest (plumego generate module).
    base: src

top_level:
  directories: [specs, src]
  discouraged_roots: [utils, helpers, common, misc]
  rules:
    - id: declared-top-level
      rule: Only the directories listed in top_level.directories exist at the repository root.
      rationale: A stray top-level directory is code that no layer, rule or owner covers.
