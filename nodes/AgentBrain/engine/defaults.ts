// The defaults the node's parameters show and the engine falls back to, kept in one place so the two never disagree.

/** Model calls with tools available before the agent must answer. */
export const DEFAULT_MAX_ITERATIONS = 10;

/** Wall-clock limit of one item's run in the node, in seconds (the engine alone has none unless asked). */
export const DEFAULT_TIMEOUT_SECONDS = 300;

/** Earlier turns of a session the model sees. */
export const DEFAULT_MEMORY_TURNS = 10;
/** Items of one execution that run at once. */
export const DEFAULT_ITEMS_IN_PARALLEL = 4;
