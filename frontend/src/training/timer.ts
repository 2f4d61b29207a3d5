// The quiz timer runs on the server's clock: the attempt carries its deadline
// and the server's time when it answered, so the offset between the server's
// clock and this machine's is known and a wrong local clock changes nothing.

/**
 * The server clock's offset from this machine's, in ms: add it to Date.now()
 * to get the server's time. The answer left the server somewhere between the
 * request and the response, so the midpoint of the round trip is taken.
 */
export function clockOffset(serverTime: string, sentAt: number, receivedAt: number): number {
  const server = Date.parse(serverTime);
  if (Number.isNaN(server)) return 0;
  return server - (sentAt + receivedAt) / 2;
}

/** Milliseconds left until the deadline on the server's clock (never negative), or null without a deadline. */
export function remainingMs(deadline: string | null, offset: number, now = Date.now()): number | null {
  if (!deadline) return null;
  const d = Date.parse(deadline);
  if (Number.isNaN(d)) return null;
  return Math.max(0, d - (now + offset));
}

/** "1:05:09", "19:59", "0:07". */
export function formatRemaining(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** What a screen reader hears, once a minute (and each 10 s in the last minute): "12 minutes left". */
export function spokenRemaining(ms: number): string {
  const total = Math.ceil(ms / 1000);
  if (total <= 0) return "Time is up";
  if (total < 60) return `${Math.ceil(total / 10) * 10} seconds left`;
  const m = Math.ceil(total / 60);
  return m === 1 ? "1 minute left" : `${m} minutes left`;
}
