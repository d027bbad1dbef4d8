/**
 * The replay window, shared by the signature check (callback.ts) and duplicate suppression
 * (conversation.ts) so the two can never drift apart again.
 *
 * A signed callback is accepted while its timestamp is within MAX_SKEW_S of now, either way: the same
 * request can arrive from MAX_SKEW_S before its timestamp until MAX_SKEW_S after it, so the first
 * delivery and its last acceptable replay may be 2 × MAX_SKEW_S apart. A delivery is remembered that
 * long plus a margin (clock drift between replicas, slow requests), so no replay is ever answered twice.
 */

/** A callback's timestamp may be this many seconds from now, either way. */
export const MAX_SKEW_S = 5 * 60;

/** Margin beyond the accepted window. */
const DEDUP_MARGIN_S = 60;

/** How long a delivery (and its outcome) is remembered: the whole accepted window plus a margin. */
export const DEDUP_TTL_MS = (2 * MAX_SKEW_S + DEDUP_MARGIN_S) * 1000;
