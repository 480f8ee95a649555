// Programmatic entry: the engines behind the nodes, usable without n8n.
export * from './nodes/shared/errors';
export * from './nodes/shared/http';
