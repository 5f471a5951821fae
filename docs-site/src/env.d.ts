// The generated site data, resolved by astro.config.mjs (src/data/plumego.generated.json unless PLUMEGO_SITE_DATA is set).
declare module 'virtual:plumego-site-data' {
  const data: unknown;
  export default data;
}
