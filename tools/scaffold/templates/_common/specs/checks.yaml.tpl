# The checks `plumego check` runs on this repository, in order. The library-only checks of the
# Plumego repository itself (API snapshots, maturity evidence, task cards, generated files) are left
# out: a service publishes no API surface and keeps no task board here.
checks:
  - id: specs
    summary: Every spec parses, matches its JSON Schema and agrees with the other specs.
  - id: manifests
    summary: Every module.yaml matches the manifest schema and agrees with repo.yaml and package.json.
  - id: layout
    summary: Top-level directories and module folders match repo.yaml.
  - id: routing
    summary: Routing entries point at existing files and modules.
  - id: boundaries
    summary: Every import obeys the dependency rules and the importing module's allowed_imports.
  - id: entrypoints
    summary: src/index.ts exports exactly the module's public_entrypoints.
  - id: error-codes
    summary: Every error code the code emits is registered in specs/error-codes.yaml.
