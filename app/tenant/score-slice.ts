// How many accounts one scoring slice (one invocation of the tenant store) scores: it bounds the
// records an invocation holds. A slice of 20 two-year accounts scores within a 32 MB heap
// (bench/RESULTS.md); the bench imports this to measure what the store ships.
export const SCORE_SLICE_ACCOUNTS = 20;
