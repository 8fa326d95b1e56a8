export default async function globalTeardown() {
  await globalThis.flowflexTestServer?.stop();
}
