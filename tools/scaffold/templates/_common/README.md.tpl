# {{name}}

A Plumego service scaffolded with `plumego new --template {{template}}`.

```sh
npm install
npm test           # type-check, then run the tests
npm run check      # the control plane: specs, manifests, layout and import boundaries
npm run dev        # restart on change (node --watch)
npm start          # listen on APP_ADDR (default :8080)
npm run routes     # print the route table
```

## Layout

| path | what lives there |
|---|---|
| `src/service.ts` | builds the app: middleware and the route table, in one readable place |
| `src/main.ts` | the process entry: config, listen, graceful shutdown on signals |
| `src/index.ts` | the public surface the control plane reads: empty, a service is run, not imported |
| `module.yaml` | what this module owns, may import and exports; `plumego check` enforces it |
| `specs/` | the control plane's facts for this repository (layers, rules, checks) |
