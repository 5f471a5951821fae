# Copy to .env and adjust; every setting also has a default in src/config.ts.
APP_ADDR=:8080
APP_LOG_LEVEL=info
