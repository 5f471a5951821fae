// The service publishes no library API: its code is run (src/main.ts) and tested, not imported.
// The control plane reads this file as the module's public surface; module.yaml lists no entrypoints.
export {};
