{
  "name": "{{name}}",
  "version": "0.1.0",
  "private": true,
  "type": "module",
  "engines": {
    "node": "^20.19.0 || ^22.13.0 || >=24"
  },
  "scripts": {
    "start": "node --import tsx src/main.ts",
    "dev": "plumego dev src/main.ts",
    "routes": "plumego routes src/service.ts",
    "check": "plumego check",
    "typecheck": "tsc --noEmit -p tsconfig.json",
    "test": "tsc --noEmit -p tsconfig.json && vitest run"
  },
  "dependencies": {
    "plumego": "{{plumegoSpec}}"
  },
  "devDependencies": {
    "@types/node": "{{version:@types/node}}",
    "tsx": "{{version:tsx}}",
    "typescript": "{{version:typescript}}",
    "vitest": "{{version:vitest}}"
  }
}
