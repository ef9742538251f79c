/**
 * Next.js calls register() once per server process. The runtime (migrations,
 * series store, background loops) starts here, only in the Node.js runtime and
 * never during `next build`.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { startInBackground } = await import("./server/runtime/start");
  // Not awaited: /-/healthy answers while migrations run, /-/ready after.
  startInBackground();
}
