# The service's manifest: what it owns, and what it may import.
# `plumego check` holds the code to it.
name: {{name}}
path: src
layer: facade
status: experimental
owner: "@{{name}}/maintainers"
risk: low
summary: An edge gateway - /api forwarded to upstream backends with x/gateway (round robin, retries, forwarded headers, failures as error envelopes).
primer_question: how this service is built, started and tested
responsibilities:
  - Building the app and its route table (src/service.ts)
  - Starting and stopping the process (src/main.ts)
non_goals:
  - Reusable library code
allowed_imports:
  modules: []
  packages:
    - name: plumego
      reason: The HTTP framework the service is built on.
    - name: vitest
      reason: The test runner used by src/*.test.ts.
public_entrypoints: []
test_commands:
  - npm test
  - npx plumego check
review_checklist:
  - Is every route registered in src/service.ts, one per line?
agent_hints:
  - Add a route in src/service.ts and a test beside it.
task_affinity: [http_endpoint]
