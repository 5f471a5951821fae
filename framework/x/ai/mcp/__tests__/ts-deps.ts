// The test runner resolves packages with the `source` condition (so `plumego/*` maps to TypeScript), and
// eventsource-parser — which the SDK's HTTP client imports — publishes its TypeScript under that condition
// too; Node cannot load it natively, so tsx's loader is registered for this worker before the SDK loads.
import { register } from 'tsx/esm/api';

register();
