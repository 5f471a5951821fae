# Import rules for the boundary gate. Every import must be declared in the importing module's
# allowed_imports (modules and packages); Node builtins need the node: prefix.
rules:
  - id: default-deny
    severity: error
    summary: An import must be declared in the importing module's allowed_imports.
    rationale: An undeclared edge is an unreviewed dependency.
    fix: Declare the module or package in allowed_imports of the importing module.yaml, with a reason.
builtins:
  require_node_prefix: true
  deny: {}
baseline: specs/boundary-baseline.yaml
exceptions: []
