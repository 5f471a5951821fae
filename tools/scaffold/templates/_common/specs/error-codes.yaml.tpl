# Every error code the service emits, with its HTTP status. `plumego check` keeps code and registry in step.
codes: []
